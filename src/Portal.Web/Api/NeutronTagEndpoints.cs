using Portal.Data.Services;

namespace Portal.Web.Api;

/// <summary>
/// Neutron's tags API (standard-attr-tag) on networks, subnets and ports over <see cref="TagService"/>:
/// <c>/{collection}/{id}/tags</c> (GET, PUT to replace, DELETE all) and <c>/{collection}/{id}/tags/{tag}</c> (GET to
/// check, PUT to add, DELETE); and the list filters <c>tags</c>, <c>tags-any</c>, <c>not-tags</c>, <c>not-tags-any</c>.
/// </summary>
public static class NeutronTagEndpoints
{
    public static void MapNeutronTags(this RouteGroupBuilder v2)
    {
        foreach (var (collection, kind, parse) in new (string, TaggedKind, Func<string, Guid>)[]
                 {
                     ("networks", TaggedKind.Network, NeutronNetworkEndpoints.ParseId),
                     ("subnets", TaggedKind.Subnet, NeutronSubnetEndpoints.ParseId),
                     ("ports", TaggedKind.Port, NeutronPortEndpoints.ParseId),
                 })
        {
            var group = v2.MapGroup($"/{collection}/{{id}}/tags").WithTags("Tags");
            group.MapGet("", async (string id, HttpContext http, TagService tags) =>
                    Tags(await tags.GetAsync(http.Actor(), http.User.ProjectId(), kind, parse(id), http.RequestAborted)))
                .WithSummary($"List the tags of one of the {collection}").Produces<TagsResponse>().ProducesNeutronErrors(404);
            group.MapPut("", async (string id, HttpContext http, TagService tags) =>
                {
                    var body = await ApiBody.ReadAsync(http, ApiJson.Context.TagsRequest, r => r.Tags);
                    return Tags(await tags.ReplaceAsync(http.Actor(), http.User.ProjectId(), kind, parse(id), body.ToList<string?>(), http.RequestAborted));
                })
                .WithSummary($"Replace the tags of one of the {collection}").Accepts<TagsRequest>("application/json")
                .Produces<TagsResponse>().ProducesNeutronErrors(400, 404, 409, 413);
            group.MapDelete("", async (string id, HttpContext http, TagService tags) =>
                {
                    await tags.RemoveAllAsync(http.Actor(), http.User.ProjectId(), kind, parse(id), http.RequestAborted);
                    return Results.NoContent();
                })
                .WithSummary($"Remove every tag of one of the {collection}").Produces(StatusCodes.Status204NoContent).ProducesNeutronErrors(404, 409);
            group.MapGet("/{tag}", async (string id, string tag, HttpContext http, TagService tags) =>
                    (await tags.GetAsync(http.Actor(), http.User.ProjectId(), kind, parse(id), http.RequestAborted)).Contains(tag, StringComparer.Ordinal)
                        ? Results.NoContent()
                        : NeutronErrorResults.Error(404, "TagNotFound", $"Tag {tag} could not be found."))
                .WithSummary("Check a tag").Produces(StatusCodes.Status204NoContent).ProducesNeutronErrors(404);
            group.MapPut("/{tag}", async (string id, string tag, HttpContext http, TagService tags) =>
                {
                    await tags.AddAsync(http.Actor(), http.User.ProjectId(), kind, parse(id), tag, http.RequestAborted);
                    return Results.StatusCode(StatusCodes.Status201Created);
                })
                .WithSummary("Add a tag").Produces(StatusCodes.Status201Created).ProducesNeutronErrors(400, 404, 409);
            group.MapDelete("/{tag}", async (string id, string tag, HttpContext http, TagService tags) =>
                {
                    await tags.RemoveAsync(http.Actor(), http.User.ProjectId(), kind, parse(id), tag, http.RequestAborted);
                    return Results.NoContent();
                })
                .WithSummary("Remove a tag").Produces(StatusCodes.Status204NoContent).ProducesNeutronErrors(404, 409);
        }
    }

    private static IResult Tags(IReadOnlyList<string> tags) => TypedResults.Json(new TagsResponse(tags), ApiJson.Context.TagsResponse);

    /// <summary>Neutron's tag filters of a list: <c>tags</c> (all of them), <c>tags-any</c>, <c>not-tags</c>, <c>not-tags-any</c>; comma-separated, repeatable.</summary>
    public static IEnumerable<T> Filter<T>(HttpContext http, IEnumerable<T> items, Func<T, IReadOnlyCollection<string>> tagsOf)
    {
        var query = http.Request.Query;
        HashSet<string>? Set(string key) => query.TryGetValue(key, out var values)
            ? values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToHashSet(StringComparer.Ordinal)
            : null;
        if (Set("tags") is { } all) items = items.Where(i => all.All(t => tagsOf(i).Contains(t)));
        if (Set("tags-any") is { } any) items = items.Where(i => any.Any(t => tagsOf(i).Contains(t)));
        if (Set("not-tags") is { } notAll) items = items.Where(i => !notAll.All(t => tagsOf(i).Contains(t)));
        if (Set("not-tags-any") is { } notAny) items = items.Where(i => !notAny.Any(t => tagsOf(i).Contains(t)));
        return items;
    }
}
