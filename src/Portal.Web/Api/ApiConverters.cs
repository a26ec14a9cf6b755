using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Portal.Web.Api;

/// <summary>
/// A value of the wrong type in a request body. It says what the value must be; <see cref="ApiBody"/> answers Neutron's
/// InvalidInput for the field it names, or else for the field that the exception's <see cref="JsonException.Path"/> ends in.
/// </summary>
public sealed class InvalidFieldException(string what, string? field = null) : JsonException
{
    public string What { get; } = what;
    public string? Field { get; } = field;
}

/// <summary>The converters behind the API's contract records: Neutron's leniency and its messages for wrong types.</summary>
public static class ApiConverters
{
    /// <summary>Neutron converts "true"/"false" (and "1"/"0") as well; some clients send strings.</summary>
    public sealed class LenientBoolean : JsonConverter<bool>
    {
        public override bool Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
        {
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            JsonTokenType.String => reader.GetString()!.Trim().ToLowerInvariant() switch
            {
                "true" or "1" => true,
                "false" or "0" => false,
                _ => throw new InvalidFieldException("a boolean"),
            },
            _ => throw new InvalidFieldException("a boolean"),
        };

        public override void Write(Utf8JsonWriter writer, bool value, JsonSerializerOptions options) => writer.WriteBooleanValue(value);
    }

    /// <summary>Neutron converts numeric strings too (openstackclient sends --mtu as a string).</summary>
    public sealed class LenientInt32 : JsonConverter<int>
    {
        public override int Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
        {
            JsonTokenType.Number when reader.TryGetInt32(out var number) => number,
            JsonTokenType.String when int.TryParse(reader.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var text) => text,
            _ => throw new InvalidFieldException("an integer"),
        };

        public override void Write(Utf8JsonWriter writer, int value, JsonSerializerOptions options) => writer.WriteNumberValue(value);
    }

    /// <summary>A string is only a JSON string: no number or boolean is turned into one.</summary>
    public sealed class StrictString : JsonConverter<string>
    {
        public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw new InvalidFieldException("a string");

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }

    /// <summary>IPv6 subnets count past any fixed-size integer; JSON numbers have no such limit.</summary>
    public sealed class BigIntegerNumber : JsonConverter<BigInteger>
    {
        public override BigInteger Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => throw ResponseOnly();

        public override void Write(Utf8JsonWriter writer, BigInteger value, JsonSerializerOptions options) =>
            writer.WriteRawValue(value.ToString(CultureInfo.InvariantCulture), skipInputValidation: true);
    }

    /// <summary><c>dns_nameservers</c>: a list whose every entry is a string.</summary>
    public sealed class StringList : JsonConverter<IReadOnlyList<string>>
    {
        public override IReadOnlyList<string> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.StartArray) throw new InvalidFieldException("a list");
            var list = new List<string>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                list.Add(reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw new InvalidFieldException("a list of strings"));
            }
            return list;
        }

        public override void Write(Utf8JsonWriter writer, IReadOnlyList<string> value, JsonSerializerOptions options) => throw RequestOnly();
    }

    /// <summary>
    /// A list of objects with required string fields (<c>allocation_pools</c>, <c>host_routes</c>): every entry is checked
    /// to be an object first, then each entry's fields in order, and the message names the list, as Neutron's does.
    /// </summary>
    public abstract class ObjectList<T> : JsonConverter<IReadOnlyList<T>>
    {
        protected abstract T Entry(Func<string, string> required);

        public override IReadOnlyList<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var entries = Objects(ref reader);
            return entries.Select(e => Entry(key => e.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String
                ? v.GetString()!
                : throw new InvalidFieldException($"a list of objects with a string '{key}'"))).ToList();
        }

        public override void Write(Utf8JsonWriter writer, IReadOnlyList<T> value, JsonSerializerOptions options) => throw RequestOnly();
    }

    public sealed class AllocationPools : ObjectList<NeutronAllocationPool>
    {
        protected override NeutronAllocationPool Entry(Func<string, string> required) => new(required("start"), required("end"));
    }

    public sealed class HostRoutes : ObjectList<NeutronHostRoute>
    {
        protected override NeutronHostRoute Entry(Func<string, string> required) => new(required("destination"), required("nexthop"));
    }

    /// <summary><c>fixed_ips</c>: a list of objects, checked as a whole first; each entry's fields are then read as fields.</summary>
    public sealed class FixedIps : JsonConverter<IReadOnlyList<FixedIpInput>>
    {
        public override IReadOnlyList<FixedIpInput> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            Objects(ref reader).Select(e => new FixedIpInput { SubnetId = Field(e, "subnet_id"), IpAddress = Field(e, "ip_address") }).ToList();

        public override void Write(Utf8JsonWriter writer, IReadOnlyList<FixedIpInput> value, JsonSerializerOptions options) => throw RequestOnly();

        private static string? Field(JsonElement entry, string key) =>
            !entry.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null ? null
            : v.ValueKind == JsonValueKind.String ? v.GetString()
            : throw new InvalidFieldException("a string", key);
    }

    /// <summary>Keystone's optional objects (a user's domain, the scope's project): anything but an object is ignored.</summary>
    public sealed class ObjectOrNull<T> : JsonConverter<T> where T : class
    {
        public override T? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.StartObject) return JsonSerializer.Deserialize(ref reader, Info<T>(options));
            reader.Skip();
            return null;
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => throw RequestOnly();
    }

    /// <summary>Keystone's <c>methods</c>: the strings of a list; anything else counts as no method.</summary>
    public sealed class StringsOrNull : JsonConverter<IReadOnlyList<string>>
    {
        public override IReadOnlyList<string>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                reader.Skip();
                return null;
            }
            var list = new List<string>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType == JsonTokenType.String) list.Add(reader.GetString()!);
                else reader.Skip();
            }
            return list;
        }

        public override void Write(Utf8JsonWriter writer, IReadOnlyList<string> value, JsonSerializerOptions options) => throw RequestOnly();
    }

    /// <summary><c>allowed_address_pairs</c>: objects with a string <c>ip_address</c> and an optional string <c>mac_address</c>.</summary>
    public sealed class AddressPairs : JsonConverter<IReadOnlyList<AddressPairInput>>
    {
        public override IReadOnlyList<AddressPairInput> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            Objects(ref reader).Select(e => new AddressPairInput(Text(e, "ip_address"), Text(e, "mac_address"))).ToList();

        public override void Write(Utf8JsonWriter writer, IReadOnlyList<AddressPairInput> value, JsonSerializerOptions options) => throw RequestOnly();
    }

    /// <summary><c>extra_dhcp_opts</c>: objects with <c>opt_name</c>, <c>opt_value</c> (null removes the option) and an optional <c>ip_version</c>.</summary>
    public sealed class DhcpOptions : JsonConverter<IReadOnlyList<DhcpOptionInput>>
    {
        public override IReadOnlyList<DhcpOptionInput> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            Objects(ref reader).Select(e => new DhcpOptionInput(Text(e, "opt_name"), Text(e, "opt_value"), Version(e))).ToList();

        public override void Write(Utf8JsonWriter writer, IReadOnlyList<DhcpOptionInput> value, JsonSerializerOptions options) => throw RequestOnly();

        private static int? Version(JsonElement entry) =>
            !entry.TryGetProperty("ip_version", out var v) || v.ValueKind == JsonValueKind.Null ? null
            : v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) ? n
            : v.ValueKind == JsonValueKind.String && int.TryParse(v.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s
            : throw new InvalidFieldException("4 or 6", "ip_version");
    }

    /// <summary>An optional string field of a list entry: absent or null is null, anything but a string is refused.</summary>
    private static string? Text(JsonElement entry, string key) =>
        !entry.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null ? null
        : v.ValueKind == JsonValueKind.String ? v.GetString()
        : throw new InvalidFieldException("a string", key);

    /// <summary>The entries of a list that must hold only objects; a whole list is checked before any entry is read.</summary>
    private static List<JsonElement> Objects(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray) throw new InvalidFieldException("a list");
        var entries = JsonElement.ParseValue(ref reader).EnumerateArray().ToList();
        return entries.All(e => e.ValueKind == JsonValueKind.Object) ? entries : throw new InvalidFieldException("a list of objects");
    }

    private static NotSupportedException RequestOnly() => new("The API only reads this type, from request bodies.");

    private static NotSupportedException ResponseOnly() => new("The API only writes this type, in responses.");

    private static JsonTypeInfo<T> Info<T>(JsonSerializerOptions options) => (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
}
