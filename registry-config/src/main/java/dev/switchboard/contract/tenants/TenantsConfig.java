package dev.switchboard.contract.tenants;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The tenants file ({@code switchboard-tenants.yaml}), parsed strictly:
 * <pre>
 * tenants:
 *   - id: acme
 *     api-key-sha256: [ "9f86d0818...", ... ]   # SHA-256 hex of each key, never the key itself
 *     weight: 2                  # default 1
 *     priority: 0                # default 0
 *     tokens-per-minute: 200000  # default 0 = unlimited
 *     max-queued: 100            # default 100
 * </pre>
 * Unknown keys, duplicate tenant ids, a key hash used by two tenants and bad values are rejected
 * with one message listing every problem.
 */
public final class TenantsConfig {
    public static final int DEFAULT_MAX_QUEUED = 100;
    private static final Set<String> TOP_KEYS = Set.of("tenants");
    private static final Set<String> TENANT_KEYS = Set.of("id", "api-key-sha256", "weight", "priority", "tokens-per-minute",
            "max-queued");

    private final Map<String, Tenant> byId;
    private final Map<String, Tenant> byKeyHash;

    private TenantsConfig(List<Tenant> tenants) {
        Map<String, Tenant> ids = new LinkedHashMap<>();
        Map<String, Tenant> hashes = new HashMap<>();
        for (Tenant t : tenants) {
            ids.put(t.id(), t);
            t.apiKeySha256().forEach(h -> hashes.put(h, t));
        }
        this.byId = Map.copyOf(ids);
        this.byKeyHash = Map.copyOf(hashes);
    }

    /** No tenants at all. */
    public static TenantsConfig empty() {
        return new TenantsConfig(List.of());
    }

    /** Validates and indexes {@code tenants}. */
    public static TenantsConfig of(List<Tenant> tenants) {
        List<String> problems = new ArrayList<>();
        Map<String, String> ownerOfHash = new HashMap<>();
        Set<String> ids = new java.util.HashSet<>();
        for (int i = 0; i < tenants.size(); i++) {
            Tenant t = tenants.get(i);
            String where = "tenants[" + i + "] (" + t.id() + "): ";
            t.problems().forEach(p -> problems.add(where + p));
            if (!ids.add(t.id())) {
                problems.add(where + "id '" + t.id() + "' is used twice");
            }
            for (String hash : t.apiKeySha256()) {
                String owner = ownerOfHash.putIfAbsent(hash, t.id());
                if (owner != null && !owner.equals(t.id())) {
                    problems.add(where + "an api key hash is also listed for tenant '" + owner + "'");
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid tenants config: " + String.join("; ", problems));
        }
        return new TenantsConfig(tenants);
    }

    /** Parses and validates YAML text. */
    public static TenantsConfig parse(String yaml) {
        Object root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
        } catch (YAMLException e) {
            throw new IllegalArgumentException("invalid tenants config: not valid YAML: " + e.getMessage(), e);
        }
        if (root == null) {
            return empty();
        }
        if (!(root instanceof Map<?, ?> top)) {
            throw new IllegalArgumentException("invalid tenants config: the document must be a map with a 'tenants' list");
        }
        unknownKeys("", top, TOP_KEYS);
        Object list = top.get("tenants");
        if (list == null) {
            return empty();
        }
        if (!(list instanceof List<?> entries)) {
            throw new IllegalArgumentException("invalid tenants config: 'tenants' must be a list");
        }
        List<Tenant> tenants = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            String where = "tenants[" + i + "]";
            if (!(entries.get(i) instanceof Map<?, ?> m)) {
                throw new IllegalArgumentException("invalid tenants config: " + where + " must be a map");
            }
            unknownKeys(where + ".", m, TENANT_KEYS);
            Object id = m.get("id");
            if (!(id instanceof String s) || s.isBlank()) {
                throw new IllegalArgumentException("invalid tenants config: " + where + ".id is required and must be text");
            }
            tenants.add(new Tenant(s, hashes(where, m.get("api-key-sha256")), number(where, m, "weight", 1).doubleValue(),
                    number(where, m, "priority", 0).intValue(), number(where, m, "tokens-per-minute", 0).longValue(),
                    number(where, m, "max-queued", DEFAULT_MAX_QUEUED).intValue()));
        }
        return of(tenants);
    }

    private static void unknownKeys(String where, Map<?, ?> map, Set<String> known) {
        for (Object key : map.keySet()) {
            if (!known.contains(String.valueOf(key))) {
                throw new IllegalArgumentException("invalid tenants config: unknown key '" + where + key + "'; known keys: "
                        + new java.util.TreeSet<>(known));
            }
        }
    }

    private static List<String> hashes(String where, Object value) {
        if (value == null) {
            return List.of();
        }
        List<?> list = value instanceof List<?> l ? l : List.of(value);
        List<String> out = new ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof String s)) {
                throw new IllegalArgumentException("invalid tenants config: " + where + ".api-key-sha256 must be a list of hex strings");
            }
            out.add(s.trim());
        }
        return out;
    }

    private static Number number(String where, Map<?, ?> m, String key, Number defaultValue) {
        Object value = m.get(key);
        if (value == null) {
            return defaultValue;
        }
        if (!(value instanceof Number n)) {
            throw new IllegalArgumentException("invalid tenants config: " + where + "." + key + " must be a number, but was '"
                    + value + "'");
        }
        return n;
    }

    /** The tenant owning {@code apiKey} (hashed here; the key itself is never stored). */
    public Optional<Tenant> byApiKey(String apiKey) {
        return Optional.ofNullable(byKeyHash.get(sha256Hex(apiKey)));
    }

    public Optional<Tenant> byId(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    public List<Tenant> tenants() {
        return List.copyOf(byId.values());
    }

    /** Lower-case hex SHA-256 of a key's UTF-8 bytes, as stored in {@code api-key-sha256}. */
    public static String sha256Hex(String apiKey) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(apiKey.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
