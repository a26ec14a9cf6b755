using Portal.Data;
using Portal.Web;

var builder = WebApplication.CreateBuilder(args);
builder.AddPortalData();
builder.AddPortalWeb();

var app = builder.Build();
await app.PreparePortalDatabaseAsync();
app.MapPortalWeb();
app.Run();
