using System.Text;
using System.Text.Json.Nodes;
using CsCheck;

namespace Portal.E2E.Tests.Fuzz;

/// <summary>What one generated request does to its operation's valid form.</summary>
public enum Mutation
{
    None,
    /// <summary>One field's value replaced (wrong type, out of range, huge, NUL or control characters).</summary>
    Field,
    /// <summary>One key written twice in the same object.</summary>
    DuplicateKey,
    /// <summary>An invalid UTF-8 byte (0xFF) inside a string.</summary>
    InvalidUtf8,
    /// <summary>An escaped lone surrogate (<c>"\ud800"</c>) as a value.</summary>
    LoneSurrogate,
    /// <summary>The body cut short.</summary>
    Truncated,
    /// <summary>Random bytes instead of a body.</summary>
    RandomBytes,
    /// <summary>Arrays nested hundreds deep.</summary>
    DeepNesting,
    /// <summary>A path id that is no id (garbage, huge, NUL, another project's or a random UUID).</summary>
    PathId,
    /// <summary>List filters and paging parameters with odd values.</summary>
    Query,
    /// <summary>No token, or a token that is no token.</summary>
    Token,
}

/// <summary>One generated request: which operation, with which mutation, and the randomness its parts are drawn from.</summary>
public sealed record FuzzCase(int Operation, Mutation Mutation, int Seed)
{
    public override string ToString() => $"operation {Operation}, {Mutation}, seed {Seed}";
}

/// <summary>
/// Builds a request from a <see cref="FuzzCase"/>: a body made from the operation's documented request schema (with
/// plausible values for the fields the API knows by name: CIDRs, addresses, ids of objects that exist), then the
/// case's mutation, on the body's tree or on its bytes. Ids of existing objects are placeholders (<c>{network}</c>,
/// <c>{subnet}</c>, <c>{port}</c>) that the runner fills in.
/// </summary>
public sealed class RequestGen(OpenApiDocument document)
{
    public static Gen<FuzzCase> Cases(int operations) =>
        Gen.Select(Gen.Int[0, operations - 1], Gen.Frequency(
            (30, Gen.Const(Mutation.None)), (30, Gen.Const(Mutation.Field)), (5, Gen.Const(Mutation.DuplicateKey)),
            (5, Gen.Const(Mutation.InvalidUtf8)), (4, Gen.Const(Mutation.LoneSurrogate)), (4, Gen.Const(Mutation.Truncated)),
            (4, Gen.Const(Mutation.RandomBytes)), (2, Gen.Const(Mutation.DeepNesting)), (8, Gen.Const(Mutation.PathId)),
            (6, Gen.Const(Mutation.Query)), (2, Gen.Const(Mutation.Token))), Gen.Int, (o, m, s) => new FuzzCase(o, m, s));

    /// <summary>A body that the schema allows, with <paramref name="marker"/> as its object's name where it has one.</summary>
    public JsonNode? ValidBody(ApiOperation operation, Random random, string marker)
    {
        if (operation.RequestSchema is null) return null;
        // How many of the optional fields a body sets: none, some or most (a minimal body gets through to the services).
        _optional = new[] { 0, 3, 7 }[random.Next(3)];
        var body = Value(operation.RequestSchema, "", random, 0);
        if (body is JsonObject root && root.FirstOrDefault().Value is JsonObject inner && InnerProperties(operation.RequestSchema)?.ContainsKey("name") == true)
        {
            inner["name"] = marker;
        }
        return body;
    }

    /// <summary>The fields of the object under the envelope's key (a network's, a port's).</summary>
    private JsonObject? InnerProperties(JsonObject requestSchema)
    {
        var envelope = document.Resolve(requestSchema)["properties"]?.AsObject();
        var inner = envelope?.FirstOrDefault().Value?.AsObject();
        return inner is null ? null : document.Resolve(inner)["properties"]?.AsObject();
    }

    /// <summary>The mutated body's bytes (null: no body), and a note of what was changed.</summary>
    public (byte[]? Bytes, string What) Mutate(JsonNode? body, Mutation mutation, Random random)
    {
        if (body is null) return (null, "no body");
        switch (mutation)
        {
            case Mutation.Field:
                var (path, value) = ReplaceField(body, random);
                return (Encoding.UTF8.GetBytes(body.ToJsonString()), $"{path} = {Shorten(value)}");
            case Mutation.DuplicateKey:
                return (Encoding.UTF8.GetBytes(DuplicateKey(body)), "a key twice");
            case Mutation.InvalidUtf8:
            {
                var bytes = Encoding.UTF8.GetBytes(body.ToJsonString()).ToList();
                var quotes = bytes.Select((b, i) => (b, i)).Where(x => x.b == (byte)'"').Select(x => x.i).ToList();
                var at = quotes.Count > 1 ? quotes[random.Next(quotes.Count - 1)] + 1 : bytes.Count;
                bytes.Insert(at, 0xFF);
                return ([.. bytes], $"0xFF at byte {at}");
            }
            case Mutation.LoneSurrogate:
            {
                var (where, _) = ReplaceField(body, random, JsonValue.Create("__SURROGATE__"));
                return (Encoding.UTF8.GetBytes(body.ToJsonString().Replace("\"__SURROGATE__\"", "\"a\\ud800b\"", StringComparison.Ordinal)),
                    $"{where} = \"a\\ud800b\"");
            }
            case Mutation.Truncated:
            {
                var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
                var length = random.Next(bytes.Length);
                return (bytes[..length], $"cut at {length} of {bytes.Length} bytes");
            }
            case Mutation.RandomBytes:
            {
                var bytes = new byte[random.Next(0, 300)];
                random.NextBytes(bytes);
                return (bytes, $"{bytes.Length} random bytes");
            }
            case Mutation.DeepNesting:
            {
                var root = body is JsonObject o && o.Count > 0 ? o.First().Key : "x";
                var depth = random.Next(65, 5000);
                return (Encoding.UTF8.GetBytes($"{{\"{root}\":{{\"name\":{new string('[', depth)}{new string(']', depth)}}}}}"), $"arrays {depth} deep");
            }
            default:
                return (Encoding.UTF8.GetBytes(body.ToJsonString()), "valid");
        }
    }

    /// <summary>Query parameters for a list: the documented filters and paging, with values valid or odd.</summary>
    public static string Query(Random random)
    {
        string[] keys = ["name", "id", "network_id", "subnet_id", "fields", "limit", "marker", "sort_key", "sort_dir", "page_reverse",
            "cidr", "ip_version", "admin_state_up", "device_owner", "mac_address", "fixed_ips", "shared", "router:external", "status", "x"];
        string[] values = ["", "-1", "0", "1", "2147483648", "99999999999999999999", "abc", "true", "TRUE", "asc", "desc", "name", "id",
            "%00", "%FF", "%C3%28", "a%00b", "10.0.0.0/8", "ip_address=10.0.0.1", "subnet_id=x", Guid.NewGuid().ToString(),
            "{network}", "{subnet}", "{port}", new string('z', 5000), "..%2F..", "%27%20OR%201%3D1--", "%E2%80%AE"];
        var parts = Enumerable.Range(0, random.Next(1, 5))
            .Select(_ => $"{keys[random.Next(keys.Length)]}={values[random.Next(values.Length)]}");
        return "?" + string.Join("&", parts);
    }

    /// <summary>An id for a path: mostly odd ones.</summary>
    public static string PathId(Random random, string own)
    {
        string[] ids = [own, Guid.NewGuid().ToString(), Guid.NewGuid().ToString("N"), "0", "-1", "abc", "%00", "a%00b", "%FF", "x..y",
            new string('9', 4000), "00000000-0000-0000-0000-000000000000", "%E2%80%AE", "{network}", "{subnet}", "{port}", "%20", "x%20y"];
        return ids[random.Next(ids.Length)];
    }

    private static readonly HashSet<string> Essential = ["network_id", "cidr", "ip_version", "subnet_id", "start", "end", "destination", "nexthop"];

    private int _optional = 7;

    private JsonNode? Value(JsonObject schema, string name, Random random, int depth)
    {
        schema = document.Resolve(schema);
        foreach (var choice in new[] { "oneOf", "anyOf" })
        {
            if (schema[choice] is JsonArray options && options.Count > 0)
            {
                var nonNull = options.OfType<JsonObject>().Where(o => !IsNullOnly(o)).ToList();
                if (nonNull.Count == 0 || random.Next(10) == 0) return null;
                return Value(nonNull[random.Next(nonNull.Count)], name, random, depth);
            }
        }
        if (schema["enum"] is JsonArray choices && choices.Count > 0) return choices[random.Next(choices.Count)]?.DeepClone();
        var types = schema["type"] switch
        {
            JsonArray many => many.Select(t => t!.GetValue<string>()).ToList(),
            JsonValue one => [one.GetValue<string>()],
            _ => schema["properties"] is not null ? ["object"] : ["string"],
        };
        var nonNullTypes = types.Where(t => t != "null").ToList();
        if (nonNullTypes.Count == 0 || (types.Contains("null") && random.Next(10) == 0)) return null;
        // A field that takes a number or its text (System.Text.Json's AllowReadingFromString) is sent as a number.
        var type = nonNullTypes.Contains("integer") ? "integer" : nonNullTypes.Contains("number") ? "number" : nonNullTypes[random.Next(nonNullTypes.Count)];
        switch (type)
        {
            case "object":
            {
                var result = new JsonObject();
                if (depth > 6) return result;
                var properties = schema["properties"]?.AsObject() ?? [];
                var required = schema["required"] is JsonArray r ? r.Select(x => x!.GetValue<string>()).ToHashSet() : [];
                // The envelope's one key always, and the fields that make an object (a subnet's network and CIDR, a port's
                // network); the others as often as the body's share of optional fields says.
                foreach (var (key, sub) in properties)
                {
                    if (depth == 0 || required.Contains(key) || Essential.Contains(key) || random.Next(10) < _optional)
                    {
                        result[key] = Value(sub!.AsObject(), key, random, depth + 1);
                    }
                }
                return result;
            }
            case "array":
            {
                var items = schema["items"]?.AsObject() ?? new JsonObject { ["type"] = "string" };
                var array = new JsonArray();
                for (var i = random.Next(0, 4); i > 0; i--) array.Add(Value(items, Singular(name), random, depth + 1));
                return array;
            }
            case "integer":
                return name switch
                {
                    "ip_version" => random.Next(4) == 0 ? 6 : 4,
                    "mtu" => random.Next(68, 9217),
                    "prefixlen" => random.Next(8, 31),
                    _ => random.Next(-2, 100),
                };
            case "number":
                return random.NextDouble() * 100;
            case "boolean":
                return random.Next(2) == 0;
            default:
                return Text(name, random);
        }
    }

    private static bool IsNullOnly(JsonObject schema) =>
        schema["type"] is JsonValue t && t.GetValue<string>() == "null";

    private static string Singular(string name) => name switch
    {
        "dns_nameservers" => "nameserver",
        "allocation_pools" => "pool",
        "host_routes" => "route",
        "fixed_ips" => "fixed_ip",
        _ => name,
    };

    /// <summary>A plausible value for a string field the API knows by name.</summary>
    private static string Text(string name, Random random)
    {
        var octet = random.Next(0, 256);
        return name switch
        {
            "cidr" => random.Next(6) == 0 ? $"fd{random.Next(0, 255):x2}:{random.Next(0, 65535):x}::/64" : $"10.{octet}.{random.Next(0, 256)}.0/24",
            "destination" => $"172.{random.Next(16, 32)}.{random.Next(0, 256)}.0/24",
            "ip_address" or "gateway_ip" or "start" or "end" or "nexthop" or "nameserver" => $"10.{octet}.{random.Next(0, 256)}.{random.Next(1, 255)}",
            "network_id" => random.Next(8) == 0 ? Guid.NewGuid().ToString() : "{network}",
            "subnet_id" => random.Next(8) == 0 ? Guid.NewGuid().ToString() : "{subnet}",
            "port_id" or "device_id" => random.Next(2) == 0 ? Guid.NewGuid().ToString() : "{port}",
            "mac_address" => string.Join(":", Enumerable.Range(0, 6).Select(i => (i == 0 ? random.Next(0, 128) * 2 : random.Next(0, 256)).ToString("x2"))),
            "project_id" or "tenant_id" => random.Next(2) == 0 ? "{project}" : Guid.NewGuid().ToString("N"),
            "ipv6_ra_mode" or "ipv6_address_mode" => new[] { "slaac", "dhcpv6-stateful", "dhcpv6-stateless" }[random.Next(3)],
            "methods" or "method" => "password",
            _ => Words(random),
        };
    }

    private static string Words(Random random)
    {
        string[] words = ["alpha", "сеть", "web", "db-1", "front end", "Ünïcödé", "x", "テスト", "a.b_c", "🙂"];
        return string.Join("-", Enumerable.Range(0, random.Next(1, 4)).Select(_ => words[random.Next(words.Length)]));
    }

    /// <summary>Replaces one value somewhere in the body (not the envelope itself) with an odd one; answers where and what.</summary>
    private static (string Path, JsonNode? Value) ReplaceField(JsonNode body, Random random, JsonNode? with = null)
    {
        var slots = new List<(JsonNode Parent, object Key, string Path)>();
        Collect(body, "$", slots, 0);
        with ??= Odd(random);
        if (slots.Count == 0) return ("$", body);
        var (parent, key, path) = slots[random.Next(slots.Count)];
        if (parent is JsonObject o) o[(string)key] = with;
        else if (parent is JsonArray a) a[(int)key] = with;
        return (path, with);
    }

    private static void Collect(JsonNode node, string path, List<(JsonNode, object, string)> slots, int depth)
    {
        if (node is JsonObject o)
        {
            foreach (var (key, value) in o.ToList())
            {
                var at = $"{path}.{key}";
                if (depth > 0) slots.Add((o, key, at));
                if (value is not null) Collect(value, at, slots, depth + 1);
            }
        }
        else if (node is JsonArray a)
        {
            for (var i = 0; i < a.Count; i++)
            {
                slots.Add((a, i, $"{path}[{i}]"));
                if (a[i] is { } item) Collect(item, $"{path}[{i}]", slots, depth + 1);
            }
        }
    }

    /// <summary>A value of the wrong type, out of range, huge, or with NUL and control characters.</summary>
    private static JsonNode? Odd(Random random) => random.Next(22) switch
    {
        0 => null,
        1 => JsonValue.Create(""),
        2 => JsonValue.Create(new string('a', random.Next(256, 70_000))),
        3 => JsonValue.Create("a\0b"),
        4 => JsonValue.Create("\u0001\u001f\u007f"),
        5 => JsonValue.Create(-1),
        6 => JsonValue.Create(2147483648L),
        7 => JsonValue.Create(1e300),
        8 => JsonValue.Create(1.5),
        9 => JsonValue.Create(true),
        10 => new JsonArray(),
        11 => new JsonObject(),
        12 => new JsonArray("x", 1, null),
        13 => new JsonObject { ["a"] = new JsonObject { ["b"] = 1 } },
        14 => JsonValue.Create("999.999.999.999/99"),
        15 => JsonValue.Create("10.0.0.0/33"),
        16 => JsonValue.Create("::ffff:10.0.0.1"),
        17 => JsonValue.Create("\u202Eevil"),
        18 => JsonValue.Create("<script>alert(1)</script>"),
        19 => new JsonArray([.. Enumerable.Range(0, random.Next(6, 3000)).Select(i => (JsonNode?)JsonValue.Create($"10.{i / 250 % 250}.{i % 250}.1"))]),
        20 => JsonValue.Create(long.MinValue),
        _ => JsonValue.Create("'; DROP TABLE networks; --"),
    };

    private static string DuplicateKey(JsonNode body)
    {
        if (body is JsonObject root && root.Count > 0 && root.First().Value is JsonObject inner && inner.Count > 0)
        {
            var (key, value) = inner.First();
            var innerText = inner.ToJsonString();
            var duplicated = "{" + $"{System.Text.Json.JsonSerializer.Serialize(key)}:{value?.ToJsonString() ?? "null"}," + innerText[1..];
            return $"{{{System.Text.Json.JsonSerializer.Serialize(root.First().Key)}:{duplicated}}}";
        }
        var text = body.ToJsonString();
        return text.Length > 2 && text[0] == '{' ? text[..^1] + "," + text[1..] : "{\"a\":1,\"a\":2}";
    }

    private static string Shorten(JsonNode? value)
    {
        var text = value?.ToJsonString() ?? "null";
        return text.Length > 60 ? text[..60] + $"… ({text.Length} chars)" : text;
    }
}
