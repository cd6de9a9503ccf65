package dev.switchboard.scheduler.framework;

/**
 * Every scheduling extension: a registered {@link #type()} (kebab-case, e.g. {@code queue-depth-scorer})
 * and the instance {@link #name()} that policy profiles refer to. One object may implement several
 * extension interfaces; the engine slots plugins by interface, never by name.
 */
public interface Plugin {
    String type();

    String name();
}
