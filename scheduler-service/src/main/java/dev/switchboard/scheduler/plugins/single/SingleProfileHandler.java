package dev.switchboard.scheduler.plugins.single;

import java.util.List;

import dev.switchboard.scheduler.framework.CycleContext;
import dev.switchboard.scheduler.framework.ProfileHandler;
import dev.switchboard.scheduler.framework.ProfileRun;
import dev.switchboard.scheduler.framework.ProfileRunner;
import dev.switchboard.scheduler.framework.Selection;

/** Runs one profile; its pick serves the whole request (no disaggregation). */
public record SingleProfileHandler(String name, Params params) implements ProfileHandler {
    public static final String TYPE = "single-profile-handler";

    /** @param profile the profile to run (default {@code default}) */
    public record Params(String profile) {
        public Params {
            profile = profile == null || profile.isBlank() ? "default" : profile;
        }
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public java.util.Set<String> profilesUsed() {
        return java.util.Set.of(params.profile());
    }

    @Override
    public Selection select(CycleContext context, ProfileRunner profiles) {
        ProfileRun run = profiles.run(params.profile(), context);
        return new Selection(run.picked(), null, List.of(run), "unified");
    }
}
