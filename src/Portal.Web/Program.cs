using Portal.Backend;
using Portal.Data;
using Portal.Web;
using Portal.Web.Api;

var builder = WebApplication.CreateBuilder(args);
builder.AddPortalData();
builder.AddPortalBackend();
builder.AddPortalWeb();
builder.AddPortalApi();

var app = builder.Build();
await app.PreparePortalDatabaseAsync();
app.MapPortalWeb();
app.MapPortalApi();
app.Run();
