package dev.switchboard.bench.cli;

import java.time.Duration;

import dev.switchboard.bench.workload.Durations;
import picocli.CommandLine;

/** Picocli converter for {@code 250ms}, {@code 90s}, {@code 5m}, {@code 1h} or ISO-8601 durations. */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
