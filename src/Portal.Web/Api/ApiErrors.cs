using System.Globalization;
using Portal.Core.Errors;

namespace Portal.Web.Api;

/// <summary>An error of the HTTP API itself (not of a service rule): malformed input, authentication.</summary>
public sealed class ApiException(int statusCode, string type, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
    public string Type { get; } = type;
}

/// <summary>Neutron's error body, <c>{"NeutronError":{"type","message","detail"}}</c>, always in English.</summary>
public static class NeutronErrorResults
{
    public static readonly CultureInfo English = CultureInfo.GetCultureInfo("en-US");

    public static IResult From(NeutronException e) => Error(e.StatusCode, e.Type, e.Localize(English));

    public static IResult Error(int status, string type, string message) =>
        TypedResults.Json(Body(type, message), ApiJson.Context.NeutronErrorResponse, statusCode: status);

    public static NeutronErrorResponse Body(string type, string message) => new(new NeutronError(type, message, ""));

    /// <summary>Turns the services' and the API's own errors into Neutron's error bodies.</summary>
    public static async ValueTask<object?> Filter(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (NeutronException e)
        {
            return From(e);
        }
        catch (ApiException e)
        {
            return Error(e.StatusCode, e.Type, e.Message);
        }
    }

    /// <summary>Declares, for the OpenAPI document, the statuses an endpoint answers with Neutron's error body.</summary>
    public static RouteHandlerBuilder ProducesNeutronErrors(this RouteHandlerBuilder endpoint, params int[] statuses)
    {
        foreach (var status in statuses) endpoint.Produces<NeutronErrorResponse>(status);
        return endpoint;
    }
}
