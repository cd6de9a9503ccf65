package dev.switchboard.scheduler.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class AfterResponseTest {

    @Test
    void workWaitsForTheResponseThenRunsInOrderEvenIfOnePieceFails() {
        AfterResponse after = new AfterResponse();
        List<String> ran = new ArrayList<>();
        after.execute(() -> ran.add("lesson 1"));
        after.execute(() -> {
            throw new IllegalStateException("broken");
        });
        after.execute(() -> ran.add("lesson 2"));
        assertThat(ran).isEmpty();
        after.run();
        assertThat(ran).containsExactly("lesson 1", "lesson 2");
        after.run();
        assertThat(ran).as("each piece runs once").hasSize(2);
    }

    @Test
    void workQueuedAfterTheResponseRunsAtOnce() {
        AfterResponse after = new AfterResponse();
        after.run();
        List<String> ran = new ArrayList<>();
        after.execute(() -> ran.add("late lesson"));
        assertThat(ran).containsExactly("late lesson");
    }
}
