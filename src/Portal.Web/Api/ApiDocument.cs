using System.Numerics;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Portal.Web.Api;

/// <summary>
/// The API's OpenAPI document at <c>/openapi/v1.json</c>, made from the endpoints' declared contract records, and
/// Scalar's reference page over it at <c>/scalar</c>. Both are anonymous: they describe the API, they open nothing.
/// </summary>
public static class ApiDocument
{
    private const string TokenScheme = "X-Auth-Token";

    public static IHostApplicationBuilder AddPortalApiDocument(this IHostApplicationBuilder builder)
    {
        builder.Services.ConfigureHttpJsonOptions(o => ApiJson.ConfigureDocument(o.SerializerOptions));
        builder.Services.AddOpenApi(o =>
        {
            // The UI's own endpoints (sign-out, language switch) are not part of the API.
            o.ShouldInclude = d => d.RelativePath is { } path && (path.StartsWith("v2.0", StringComparison.Ordinal) || path.StartsWith("identity", StringComparison.Ordinal));
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Portal OpenStack-compatible API",
                    Version = "v1",
                    Description = "Keystone v3 tokens under /identity and Neutron v2.0 networks, subnets, ports and IP availability under /v2.0, "
                                  + "with Neutron's JSON and error bodies. Get a token from POST /identity/v3/auth/tokens (its X-Subject-Token header) "
                                  + "and send it as X-Auth-Token.",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[TokenScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey,
                    In = ParameterLocation.Header,
                    Name = TokenScheme,
                    Description = "A Keystone token from POST /identity/v3/auth/tokens.",
                };
                return Task.CompletedTask;
            });
            o.AddOperationTransformer((operation, context, _) =>
            {
                if (context.Description.RelativePath?.StartsWith("v2.0", StringComparison.Ordinal) == true)
                {
                    operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(TokenScheme, context.Document)] = [] }];
                }
                return Task.CompletedTask;
            });
            // Address counts are written as plain JSON numbers of any size (ApiConverters.BigIntegerNumber).
            o.AddSchemaTransformer((schema, context, _) =>
            {
                if (context.JsonTypeInfo.Type == typeof(BigInteger))
                {
                    schema.Type = JsonSchemaType.Integer;
                    schema.Properties?.Clear();
                }
                return Task.CompletedTask;
            });
        });
        return builder;
    }

    public static WebApplication MapPortalApiDocument(this WebApplication app)
    {
        // The defaults: /openapi/v1.json, which the page at /scalar reads.
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference(o => o
                .WithTitle("Portal API reference")
                .AddPreferredSecuritySchemes([TokenScheme])
                // Nothing loaded from Scalar's servers: the fonts come from a CDN, and the page reports use.
                .DisableDefaultFonts()
                .DisableTelemetry())
            .AllowAnonymous();
        return app;
    }
}
