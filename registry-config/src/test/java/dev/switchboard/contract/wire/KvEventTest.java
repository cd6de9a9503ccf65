package dev.switchboard.contract.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.LongBuffer;
import java.nio.ReadOnlyBufferException;

import org.junit.jupiter.api.Test;

class KvEventTest {
    @Test
    void hashesCannotBeChangedFromOutside() {
        long[] hashes = {1, 2, 3};
        KvEvent event = new KvEvent(KvEvent.Kind.STORED, hashes, null, 16, "GPU", KvEvent.HashSpace.SWITCHBOARD);
        hashes[0] = 99;
        event.blockHashes()[1] = 99;
        assertThat(event.blockHashes()).containsExactly(1, 2, 3);

        LongBuffer view = event.blockHashView();
        assertThat(view.isReadOnly()).isTrue();
        assertThatThrownBy(() -> view.put(0, 99)).isInstanceOf(ReadOnlyBufferException.class);
        assertThat(view.remaining()).isEqualTo(3).isEqualTo(event.blockCount());
        assertThat(view.get(2)).isEqualTo(3);
    }

    @Test
    void aClearedEventHasNoHashes() {
        assertThat(KvEvent.cleared().blockCount()).isZero();
        assertThat(KvEvent.cleared().blockHashView().remaining()).isZero();
    }
}
