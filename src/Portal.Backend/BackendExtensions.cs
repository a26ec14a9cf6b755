using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Portal.Backend.Agents;
using Portal.Backend.Nodes;
using Portal.Backend.Workflow;

namespace Portal.Backend;

public static class BackendExtensions
{
    /// <summary>
    /// The cluster provisioning workflow and its workers (section Portal:Backend), the agent protocol's server, the
    /// liveness sweep and the node provisioner with its supervisor (section Portal:Agents).
    /// </summary>
    public static IHostApplicationBuilder AddPortalBackend(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<BackendOptions>(builder.Configuration.GetSection(BackendOptions.Section));
        builder.Services.Configure<AgentOptions>(builder.Configuration.GetSection(AgentOptions.Section));
        builder.Services.AddPortalBackend(
            runWorkers: builder.Configuration.GetValue($"{BackendOptions.Section}:Enabled", true),
            serveAgents: builder.Configuration.GetValue($"{AgentOptions.Section}:Serve", true));
        return builder;
    }

    public static IServiceCollection AddPortalBackend(this IServiceCollection services, bool runWorkers = true, bool serveAgents = true)
    {
        services.AddOptions<BackendOptions>();
        services.AddOptions<AgentOptions>();
        services.AddSingleton<ClusterWorkflow>();
        services.AddSingleton<NodeAgentService>();
        services.AddSingleton<AgentHub>();
        services.AddSingleton<AgentServer>();
        services.AddSingleton<AgentProcesses>();
        services.AddSingleton<SimulatedNodeProvisioner>();
        services.AddSingleton<LocalProcessProvisioner>();
        services.AddSingleton<NetnsNodeProvisioner>();
        services.AddSingleton<INodeProvisioner>(sp => sp.GetRequiredService<IOptions<AgentOptions>>().Value.Provisioner switch
        {
            "processes" => sp.GetRequiredService<LocalProcessProvisioner>(),
            "netns" => sp.GetRequiredService<NetnsNodeProvisioner>(),
            "simulated" => sp.GetRequiredService<SimulatedNodeProvisioner>(),
            "external" => new ExternalNodeProvisioner(),
            var other => throw new InvalidOperationException(
                $"Portal:Agents:Provisioner is processes, netns, external or simulated, not «{other}»."),
        });
        services.AddSingleton<ClusterReconciler>();
        services.AddSingleton<ProvisioningWorker>();
        services.AddSingleton<NodeSupervisor>();
        // The agent server first: local provisioners give agents its address.
        if (serveAgents) services.AddHostedService(sp => sp.GetRequiredService<AgentServer>());
        if (runWorkers)
        {
            services.AddHostedService(sp => sp.GetRequiredService<ProvisioningWorker>());
            services.AddHostedService<LivenessWorker>();
            services.AddHostedService(sp => sp.GetRequiredService<NodeSupervisor>());
        }
        return services;
    }
}
