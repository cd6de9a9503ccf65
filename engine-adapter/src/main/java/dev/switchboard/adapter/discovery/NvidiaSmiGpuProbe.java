package dev.switchboard.adapter.discovery;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@code nvidia-smi --query-gpu=name,memory.total,count --format=csv,noheader} once and reads
 * the first GPU's name and memory and the GPU count. A missing binary, a failure or a timeout all mean
 * "no GPU facts" (logged), never a startup failure.
 */
public final class NvidiaSmiGpuProbe implements GpuProbe {
    private static final Logger log = LoggerFactory.getLogger(NvidiaSmiGpuProbe.class);
    static final List<String> ARGS = List.of("--query-gpu=name,memory.total,count", "--format=csv,noheader");

    private final String command;
    private final Duration timeout;

    public NvidiaSmiGpuProbe(String command, Duration timeout) {
        this.command = command;
        this.timeout = timeout;
    }

    @Override
    public Optional<GpuFacts> detect() {
        List<String> cmd = new ArrayList<>();
        cmd.add(command);
        cmd.addAll(ARGS);
        Process process;
        try {
            process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            log.info("no GPU facts from '{}' ({}); using configured GPU facts", command, e.getMessage());
            return Optional.empty();
        }
        try {
            process.getOutputStream().close();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                log.warn("'{}' did not answer within {}; using configured GPU facts", command, timeout);
                return Optional.empty();
            }
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                log.warn("'{}' exited with {}: {}; using configured GPU facts", command, process.exitValue(), out.strip());
                return Optional.empty();
            }
            Optional<GpuFacts> facts = parse(out);
            if (facts.isEmpty()) {
                log.warn("could not read GPU facts from '{}' output: {}", command, out.strip());
            }
            return facts;
        } catch (IOException e) {
            log.warn("could not read '{}' output: {}", command, e.getMessage());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return Optional.empty();
        }
    }

    /**
     * Parses the CSV lines ({@code name, memory.total, count}; memory as {@code 81559 MiB} or, with
     * {@code nounits}, {@code 81559}). Reads the first line; the count column is the number of GPUs.
     */
    static Optional<GpuFacts> parse(String csv) {
        for (String line : csv.split("\\R")) {
            if (line.isBlank()) {
                continue;
            }
            String[] cols = line.split(",");
            if (cols.length < 3) {
                return Optional.empty();
            }
            String name = normaliseName(cols[0]);
            String memory = cols[1].trim().toLowerCase(Locale.ROOT).replace("mib", "").trim();
            String count = cols[2].trim();
            try {
                long mib = Long.parseLong(memory);
                int gpus = Integer.parseInt(count);
                if (name.isEmpty() || mib <= 0 || gpus <= 0) {
                    return Optional.empty();
                }
                return Optional.of(new GpuFacts(name, (int) Math.round(mib / 1024.0), gpus));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** {@code NVIDIA H100 80GB HBM3} becomes {@code H100-80GB-HBM3}. */
    static String normaliseName(String raw) {
        String name = raw.trim();
        if (name.regionMatches(true, 0, "NVIDIA ", 0, 7)) {
            name = name.substring(7).trim();
        }
        return name.replaceAll("\\s+", "-");
    }
}
