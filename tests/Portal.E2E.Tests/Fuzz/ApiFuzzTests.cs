using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Npgsql;
using Xunit.Abstractions;

namespace Portal.E2E.Tests.Fuzz;

/// <summary>
/// Issue 15 item 6: a property-based fuzzer against the running app, driven by its OpenAPI document. Every operation
/// gets generated requests with a valid token, in a project of its own: valid bodies, bodies with one field mutated
/// (wrong type, out of range, huge, NUL and control characters), invalid UTF-8, duplicate keys, lone surrogates,
/// truncated and random bodies, odd path ids and list filters. It fails on any 5xx, any answer that is not the JSON the
/// document gives for its status, and any object a refused request wrote or changed.
/// </summary>
[Collection(PortalAppCollection.Name)]
public sealed class ApiFuzzTests(PortalAppFixture app, ITestOutputHelper output)
{
    /// <summary>How many requests; PORTAL_FUZZ_CASES sets another count (a longer run by hand).</summary>
    private static readonly int Cases = int.TryParse(Environment.GetEnvironmentVariable("PORTAL_FUZZ_CASES"), out var n) && n > 0 ? n : 3000;

    private static readonly string[] Collections = ["networks", "subnets", "ports"];

    [Fact]
    public async Task Generated_requests_over_every_endpoint_get_documented_answers_and_refusals_write_nothing()
    {
        using var http = ApiHttp.NewClient(app);
        var document = await OpenApiDocument.LoadAsync(http);
        var operations = document.Operations.OrderBy(o => o.Path, StringComparer.Ordinal).ThenBy(o => o.Method.Method, StringComparer.Ordinal).ToList();
        Assert.Contains(operations, o => o.Path == "/v2.0/ports" && o.Method == HttpMethod.Post);

        var run = await FuzzRun.StartAsync(app, http, document);
        var generator = new RequestGen(document);
        var clock = Stopwatch.StartNew();
        var counts = new Dictionary<string, int>();
        var samples = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        await RequestGen.Cases(operations.Count).SampleAsync(async fuzz =>
        {
            var operation = operations[fuzz.Operation];
            var outcome = await run.SendAsync(generator, operation, fuzz);
            lock (counts) counts[$"{operation} {(int)outcome.Status}"] = counts.GetValueOrDefault($"{operation} {(int)outcome.Status}") + 1;
            samples.TryAdd($"{operation} {(int)outcome.Status}", outcome.Sample);
        }, iter: Cases, threads: 1, print: fuzz => $"{operations[fuzz.Operation]}, {fuzz.Mutation}, seed {fuzz.Seed}");
        await run.AssertRefusalsWroteNothingAsync();
        clock.Stop();

        output.WriteLine($"{Cases} generated requests over {operations.Count} operations in {clock.Elapsed.TotalSeconds:0.0} s " +
                         $"({Cases / clock.Elapsed.TotalSeconds:0} a second)");
        foreach (var (key, count) in counts.OrderBy(c => c.Key, StringComparer.Ordinal)) output.WriteLine($"  {key}: {count}  e.g. {samples[key]}");
        // Every operation was reached, and the valid requests got through to the services: it is no fuzzer of the 400 path only.
        Assert.All(operations, o => Assert.Contains(counts.Keys, k => k.StartsWith(o + " ", StringComparison.Ordinal)));
        Assert.Contains(counts.Keys, k => k.StartsWith("POST /v2.0/ports 201", StringComparison.Ordinal));
        Assert.Contains(counts.Keys, k => k.StartsWith("POST /v2.0/subnets 201", StringComparison.Ordinal));
        Assert.Contains(counts.Keys, k => k.StartsWith("PUT /v2.0/networks/{id} 200", StringComparison.Ordinal));
    }

    /// <summary>The fuzzer's project, its token and the objects the requests refer to.</summary>
    private sealed class FuzzRun
    {
        private readonly PortalAppFixture _app;
        private readonly HttpClient _http;
        private readonly OpenApiDocument _document;
        private readonly string _projectId;
        private readonly string _token;
        private readonly Dictionary<string, List<string>> _ids = new() { ["network"] = [], ["subnet"] = [], ["port"] = [] };
        private readonly HashSet<string> _refusedMarkers = [];
        private int _count;

        private FuzzRun(PortalAppFixture app, HttpClient http, OpenApiDocument document, string projectId, string token)
        {
            (_app, _http, _document, _projectId, _token) = (app, http, document, projectId, token);
        }

        public static async Task<FuzzRun> StartAsync(PortalAppFixture app, HttpClient http, OpenApiDocument document)
        {
            var projectId = Guid.NewGuid().ToString("N");
            await using (var db = new NpgsqlConnection(app.DatabaseConnectionString))
            {
                await db.OpenAsync();
                await using var insert = new NpgsqlCommand(
                    "INSERT INTO projects (id, name, shadowport_enabled, created_at) VALUES ($1, $2, true, now())", db)
                {
                    Parameters = { new() { Value = projectId }, new() { Value = "fuzz-" + projectId[..6] } },
                };
                await insert.ExecuteNonQueryAsync();
                // Room for what the valid requests create (the deletes recycle some): quotas are not what this run is about.
                await using var quotas = new NpgsqlBatch(db)
                {
                    BatchCommands =
                    {
                        new("INSERT INTO quotas (project_id, resource, \"limit\") VALUES ($1, 'networks', 1000), ($1, 'subnets', 1000), ($1, 'ports', 5000)")
                        {
                            Parameters = { new() { Value = projectId } },
                        },
                        new("SELECT portal_quota_set($1, r, l) FROM (VALUES ('networks', 1000), ('subnets', 1000), ('ports', 5000)) AS q(r, l)")
                        {
                            Parameters = { new() { Value = projectId } },
                        },
                    },
                };
                await quotas.ExecuteNonQueryAsync();
            }
            var user = await Accounts.NewCustomerAsync(app.DatabaseConnectionString, projectId);
            var token = await ApiHttp.TokenAsync(http, user, Accounts.CustomerPassword, projectId);
            var run = new FuzzRun(app, http, document, projectId, token);
            // The objects valid requests refer to: a network with a subnet and a port.
            var network = await run.CreateAsync("networks", """{"network": {"name": "fuzz-seed"}}""");
            var subnet = await run.CreateAsync("subnets", $$$"""{"subnet": {"network_id": "{{{network}}}", "cidr": "10.77.0.0/16", "ip_version": 4, "name": "fuzz-seed"}}""");
            await run.CreateAsync("ports", $$$"""{"port": {"network_id": "{{{network}}}", "name": "fuzz-seed", "fixed_ips": [{"subnet_id": "{{{subnet}}}"}]}}""");
            return run;
        }

        private async Task<string> CreateAsync(string collection, string json)
        {
            var (status, body) = await ApiHttp.SendAsync(_http, HttpMethod.Post, $"/v2.0/{collection}", _token, json);
            Assert.True(status == HttpStatusCode.Created, $"{collection}: {status} {body}");
            var id = body.GetProperty(collection[..^1]).GetProperty("id").GetString()!;
            _ids[collection[..^1]].Add(id);
            return id;
        }

        /// <summary>Sends the case's request and checks the answer; returns its status.</summary>
        public async Task<(HttpStatusCode Status, string Sample)> SendAsync(RequestGen generator, ApiOperation operation, FuzzCase fuzz)
        {
            var random = new Random(fuzz.Seed);
            var marker = $"fz-{Interlocked.Increment(ref _count)}-{fuzz.Seed:x8}";
            var body = generator.ValidBody(operation, random, marker);
            var (bytes, what) = generator.Mutate(body, fuzz.Mutation, random);
            var family = Family(operation.Path);
            // A delete takes one of the objects the fuzzer made, never the seeds the valid requests refer to.
            var own = operation.Method == HttpMethod.Delete ? Made(family, random) : Own(family, random);
            var path = operation.Path.Replace("{id}", fuzz.Mutation == Mutation.PathId ? RequestGen.PathId(random, own) : own, StringComparison.Ordinal);
            if (fuzz.Mutation == Mutation.Query || (operation.Method == HttpMethod.Get && random.Next(4) == 0)) path += RequestGen.Query(random);
            path = Fill(path, Uri.EscapeDataString);
            if (bytes is not null && System.Text.Unicode.Utf8.IsValid(bytes)) bytes = Encoding.UTF8.GetBytes(Fill(Encoding.UTF8.GetString(bytes), s => s));

            using var request = new HttpRequestMessage(operation.Method, path);
            if (bytes is not null)
            {
                request.Content = new ByteArrayContent(bytes);
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            }
            var token = fuzz.Mutation == Mutation.Token ? new[] { "", "gAAAAA", "x" + new string('y', 9000), "a\tb" }[random.Next(4)] : _token;
            // The token in question: the fuzzer's own only where it is read (a delete would revoke it), else garbage. A token
            // request's body names no real user (the generated names are words), so the fuzzer's account never locks.
            if (operation.IsKeystone)
            {
                var subject = operation.Method != HttpMethod.Delete && random.Next(2) == 0 ? _token : new[] { "gAAAAABnot-a-token", _token + "x", "" }[random.Next(3)];
                request.Headers.TryAddWithoutValidation("X-Subject-Token", subject);
            }
            if (token.Length > 0) request.Headers.TryAddWithoutValidation("X-Auth-Token", token);

            JsonElement? before = operation.Method == HttpMethod.Put && !operation.IsKeystone ? await ReadAsync(path) : null;
            using var response = await _http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            var describe = $"{operation.Method} {Shorten(path)} ({fuzz.Mutation}: {what}) body {Shorten(bytes is null ? "(none)" : Encoding.UTF8.GetString(bytes))}\n" +
                           $"answered {status}: {Shorten(text, 600)}";
            Assert.True(status < 500, $"5xx: {describe}\nApp log:\n{_app.RecentLog(60)}");
            CheckDocumented(operation, response, text, describe);

            if (status is >= 200 and < 300 && operation.Method == HttpMethod.Post && !operation.IsKeystone)
            {
                var created = JsonDocument.Parse(text).RootElement.GetProperty(family).GetProperty("id").GetString()!;
                _ids[family].Add(created);
            }
            if (status is >= 200 and < 300 && operation.Method == HttpMethod.Delete && !operation.IsKeystone) _ids[family].Remove(path.Split('/')[^1]);
            if (status >= 400)
            {
                if (operation.Method == HttpMethod.Post) lock (_refusedMarkers) _refusedMarkers.Add(marker);
                if (before is { } was && await ReadAsync(path) is { } now)
                {
                    Assert.True(JsonNode.DeepEquals(JsonNode.Parse(was.GetRawText()), JsonNode.Parse(now.GetRawText())),
                        $"A refused update changed the object: {describe}\nbefore {was}\nafter {now}");
                }
            }
            return (response.StatusCode, Shorten(text, 120));
        }

        /// <summary>The answer is what the document says for its status: a documented code, JSON of the documented schema.</summary>
        private void CheckDocumented(ApiOperation operation, HttpResponseMessage response, string text, string describe)
        {
            var status = (int)response.StatusCode;
            // Kestrel refuses a request line over its 8 KiB limit, or a target that decodes to a NUL, itself, before any
            // middleware runs, with an empty body: the two refusals the app cannot word.
            var target = response.RequestMessage!.RequestUri!;
            if (text.Length == 0 && (status == 414 && target.PathAndQuery.Length > 8000 || status == 400 && target.AbsolutePath.Contains("%00", StringComparison.Ordinal))) return;
            Assert.True(operation.Responses.ContainsKey(status) || status is 405 or 413 or 415,
                $"Status {status} is not documented for {operation} ({string.Join(", ", operation.Responses.Keys)}): {describe}");
            // No body where the document says none (a 204, or a 201 such as adding a tag).
            if (operation.Method == HttpMethod.Head || status == 204
                || text.Length == 0 && operation.Responses.TryGetValue(status, out var documented) && documented is null) return;
            Assert.True(response.Content.Headers.ContentType?.MediaType == "application/json", $"Not JSON ({response.Content.Headers.ContentType}): {describe}");
            var json = JsonDocument.Parse(text).RootElement;
            // With fields=… each resource has only the attributes asked for (none, for a name no resource has): the
            // document's required properties do not hold, only the envelope does.
            if (status == 200 && System.Web.HttpUtility.ParseQueryString(target.Query)["fields"] is not null)
            {
                Assert.True(json.ValueKind == JsonValueKind.Object && json.EnumerateObject().Any(), $"Not a Neutron body: {describe}");
                return;
            }
            var schema = operation.Responses.GetValueOrDefault(status)
                         ?? new JsonObject { ["$ref"] = operation.IsKeystone ? "#/components/schemas/KeystoneErrorResponse" : "#/components/schemas/NeutronErrorResponse" };
            if (_document.Mismatch(schema, json) is { } mismatch) Assert.Fail($"The answer does not match the document ({mismatch}): {describe}");
        }

        private async Task<JsonElement?> ReadAsync(string path)
        {
            using var get = new HttpRequestMessage(HttpMethod.Get, path);
            get.Headers.Add("X-Auth-Token", _token);
            using var response = await _http.SendAsync(get);
            if (response.StatusCode != HttpStatusCode.OK) return null;
            var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
            return json;
        }

        /// <summary>No refused create left an object behind: none of the names the refused requests carried is stored.</summary>
        public async Task AssertRefusalsWroteNothingAsync()
        {
            await using var db = new NpgsqlConnection(_app.DatabaseConnectionString);
            await db.OpenAsync();
            await using var query = new NpgsqlCommand("""
                SELECT 'network ' || name FROM networks WHERE project_id = $1 AND name = ANY($2)
                UNION ALL SELECT 'subnet ' || name FROM subnets WHERE project_id = $1 AND name = ANY($2)
                UNION ALL SELECT 'port ' || name FROM ports WHERE project_id = $1 AND name = ANY($2)
                """, db)
            {
                Parameters = { new() { Value = _projectId }, new() { Value = _refusedMarkers.ToArray() } },
            };
            var written = new List<string>();
            await using (var reader = await query.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync()) written.Add(reader.GetString(0));
            }
            Assert.True(_refusedMarkers.Count > Cases / 30, $"Only {_refusedMarkers.Count} refused creates: the check would prove little.");
            Assert.True(written.Count == 0, $"Refused requests wrote: {string.Join(", ", written)}");
        }

        private static string Family(string path)
        {
            foreach (var collection in Collections)
            {
                if (path.Contains("/" + collection, StringComparison.Ordinal)) return collection[..^1];
            }
            return path.Contains("ip-availabilities", StringComparison.Ordinal) ? "network" : "";
        }

        private string Made(string family, Random random) =>
            _ids.TryGetValue(family, out var ids) && ids.Count > 1 ? ids[random.Next(1, ids.Count)] : Guid.NewGuid().ToString();

        private string Own(string family, Random random) =>
            _ids.TryGetValue(family, out var ids) && ids.Count > 0 ? ids[random.Next(ids.Count)] : Guid.NewGuid().ToString();

        private string Fill(string text, Func<string, string> escape)
        {
            var random = new Random(text.Length);
            foreach (var family in _ids.Keys) text = text.Replace("{" + family + "}", escape(Own(family, random)), StringComparison.Ordinal);
            return text.Replace("{project}", _projectId, StringComparison.Ordinal);
        }

        private static string Shorten(string text, int max = 200) => text.Length > max ? text[..max] + $"… ({text.Length} chars)" : text;
    }
}
