using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Portal.Backend;

public static class BackendExtensions
{
    /// <summary>The cluster provisioning workflow and its workers (section Portal:Backend), and the node provisioner.</summary>
    public static IHostApplicationBuilder AddPortalBackend(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<BackendOptions>(builder.Configuration.GetSection(BackendOptions.Section));
        builder.Services.AddPortalBackend(runWorkers: builder.Configuration.GetValue($"{BackendOptions.Section}:Enabled", true));
        return builder;
    }

    public static IServiceCollection AddPortalBackend(this IServiceCollection services, bool runWorkers = true)
    {
        services.AddOptions<BackendOptions>();
        services.AddSingleton<INodeProvisioner, SimulatedNodeProvisioner>();
        services.AddSingleton<ClusterReconciler>();
        services.AddSingleton<ProvisioningWorker>();
        if (runWorkers) services.AddHostedService(sp => sp.GetRequiredService<ProvisioningWorker>());
        return services;
    }
}
