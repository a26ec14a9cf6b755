using System.ComponentModel;
using System.Text.Json.Serialization;

namespace Portal.Web.Api;

// Keystone's wire format (identity API v3), the part that OpenStack clients use to get a token.

public sealed record TokenRequest(TokenAuth? Auth);

public sealed record TokenAuth
{
    public TokenIdentity? Identity { get; init; }
    public TokenScope? Scope { get; init; }
}

public sealed record TokenIdentity
{
    [Description("Must include \"password\".")]
    [JsonConverter(typeof(ApiConverters.StringsOrNull))]
    public IReadOnlyList<string>? Methods { get; init; }
    public TokenPassword? Password { get; init; }
}

public sealed record TokenPassword
{
    [JsonConverter(typeof(ApiConverters.ObjectOrNull<TokenUser>))]
    public TokenUser? User { get; init; }
}

public sealed record TokenUser
{
    public string? Id { get; init; }
    [Description("The user's email.")]
    public string? Name { get; init; }
    public string? Password { get; init; }
    [JsonConverter(typeof(ApiConverters.ObjectOrNull<KeystoneDomainInput>))]
    public KeystoneDomainInput? Domain { get; init; }
}

/// <summary>Only the domain "Default" (id "default") exists.</summary>
public sealed record KeystoneDomainInput
{
    public string? Id { get; init; }
    public string? Name { get; init; }
}

public sealed record TokenScope
{
    [Description("Absent: the user's current project.")]
    [JsonConverter(typeof(ApiConverters.ObjectOrNull<TokenProject>))]
    public TokenProject? Project { get; init; }
}

public sealed record TokenProject
{
    public string? Id { get; init; }
    public string? Name { get; init; }
    [JsonConverter(typeof(ApiConverters.ObjectOrNull<KeystoneDomainInput>))]
    public KeystoneDomainInput? Domain { get; init; }
}

/// <summary>The token itself is the response's <c>X-Subject-Token</c> header.</summary>
public sealed record TokenResponse(IssuedToken Token);

public sealed record IssuedToken(
    IReadOnlyList<string> Methods,
    IReadOnlyList<string> AuditIds,
    string IssuedAt,
    string ExpiresAt,
    bool IsDomain,
    KeystoneUser User,
    KeystoneProject Project,
    IReadOnlyList<KeystoneRole> Roles,
    [property: Description("Left out when validated with ?nocatalog.")]
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyList<KeystoneService>? Catalog);

public sealed record KeystoneUser(string Id, string Name, string? PasswordExpiresAt, KeystoneDomain Domain);

public sealed record KeystoneProject(string Id, string Name, KeystoneDomain Domain);

public sealed record KeystoneDomain(string Id, string Name);

public sealed record KeystoneRole(string Id, string Name);

public sealed record KeystoneService(string Id, string Type, string Name, IReadOnlyList<KeystoneEndpoint> Endpoints);

public sealed record KeystoneEndpoint(string Id, string Interface, string Region, string RegionId, string Url);

public sealed record CatalogResponse(IReadOnlyList<KeystoneService> Catalog, KeystoneLinks Links);

public sealed record ProjectsResponse(IReadOnlyList<KeystoneProjectEntry> Projects, KeystoneLinks Links);

/// <summary>A project the token's user may scope a token to.</summary>
public sealed record KeystoneProjectEntry(
    string Id,
    string Name,
    string Description,
    string DomainId,
    string ParentId,
    bool Enabled,
    bool IsDomain,
    IReadOnlyList<string> Tags,
    KeystoneLinks Links);

/// <summary>Keystone's links of a collection or an entity: <c>self</c>, and for a collection <c>previous</c> / <c>next</c> (null).</summary>
public sealed record KeystoneLinks(string Self, string? Previous = null, string? Next = null);

public sealed record VersionsResponse(KeystoneVersions Versions);

public sealed record KeystoneVersions(IReadOnlyList<KeystoneVersion> Values);

public sealed record VersionResponse(KeystoneVersion Version);

public sealed record KeystoneVersion(
    string Id,
    string Status,
    string Updated,
    IReadOnlyList<ApiLink> Links,
    [property: JsonPropertyName("media-types")] IReadOnlyList<KeystoneMediaType> MediaTypes);

public sealed record KeystoneMediaType(string Base, string Type);

public sealed record KeystoneErrorResponse(KeystoneError Error);

public sealed record KeystoneError(int Code, string Message, string Title);
