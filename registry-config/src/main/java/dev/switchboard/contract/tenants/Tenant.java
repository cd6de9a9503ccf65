package dev.switchboard.contract.tenants;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One tenant.
 *
 * @param id              stable tenant name (metrics, admin API)
 * @param apiKeySha256    lower-case hex SHA-256 of each API key the tenant may use
 * @param weight          share of the fleet relative to other tenants when all are busy (> 0)
 * @param priority        default priority band of the tenant's requests (higher goes first)
 * @param tokensPerMinute token quota per minute (prompt + output), 0 = unlimited
 * @param maxQueued       requests the tenant may have waiting in the scheduler's queue
 */
public record Tenant(String id, List<String> apiKeySha256, double weight, int priority, long tokensPerMinute, int maxQueued) {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    public Tenant {
        Objects.requireNonNull(id, "id");
        apiKeySha256 = apiKeySha256 == null ? List.of() : List.copyOf(apiKeySha256);
    }

    /** Checks every field; returns the problems found (empty when valid), each naming the field. */
    List<String> problems() {
        List<String> problems = new java.util.ArrayList<>();
        if (!ID.matcher(id).matches()) {
            problems.add("id '" + id + "' must be 1-64 characters of letters, digits, '.', '_' or '-'");
        }
        for (String hash : apiKeySha256) {
            if (!SHA256_HEX.matcher(hash).matches()) {
                problems.add("api-key-sha256 entries must be 64 lower-case hex characters (the SHA-256 of the key, "
                        + "e.g. `printf %s \"$KEY\" | sha256sum`), but got '" + abbreviate(hash) + "'");
            }
        }
        if (!(weight > 0) || Double.isInfinite(weight)) {
            problems.add("weight must be a finite number > 0, but was " + weight);
        }
        if (tokensPerMinute < 0) {
            problems.add("tokens-per-minute must be >= 0 (0 = unlimited), but was " + tokensPerMinute);
        }
        if (maxQueued < 0) {
            problems.add("max-queued must be >= 0, but was " + maxQueued);
        }
        return problems;
    }

    /** Whether the tenant has a token quota. */
    public boolean hasQuota() {
        return tokensPerMinute > 0;
    }

    private static String abbreviate(String s) {
        return s.length() <= 12 ? s : s.substring(0, 12) + "...";
    }
}
