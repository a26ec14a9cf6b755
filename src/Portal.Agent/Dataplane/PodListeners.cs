using System.ComponentModel;
using System.Net.Sockets;

namespace Portal.Agent.Dataplane;

/// <summary>
/// The probe listeners of the node's pods. The store is the truth and other processes change it (<c>pod add</c>,
/// <c>pod del</c>), so the set is brought in line with it on every occasion rather than kept in step by events.
/// </summary>
internal sealed class PodListeners(PodStore store, int port) : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, PodListener> _listeners = [];

    /// <summary>
    /// Starts a listener for every pod in the store that has none (or whose namespace was replaced under the same
    /// name) and stops those of pods that are gone. Cheap when nothing changed: one stat per pod.
    /// </summary>
    public void Sync()
    {
        var pods = store.Pods();
        lock (_lock)
        {
            List<string>? gone = null;
            foreach (var (name, listener) in _listeners)
            {
                if (!Holds(pods, name, listener.Netns) || NetnsSocket.Identity(listener.Netns) != listener.Identity) (gone ??= []).Add(name);
            }
            foreach (var name in gone ?? [])
            {
                _listeners.Remove(name, out var listener);
                listener!.Stop();
            }
            foreach (var pod in pods)
            {
                if (pod.Netns is null || _listeners.ContainsKey(pod.Name)) continue;
                var identity = NetnsSocket.Identity(pod.Netns);
                if (identity == 0) continue;
                try
                {
                    _listeners[pod.Name] = PodListener.Start(pod.Netns, identity, port);
                }
                catch (Exception e) when (e is SocketException or InvalidOperationException or Win32Exception)
                {
                    // Nothing to report to here: probes towards this pod fail with "connection refused", and the
                    // next sync tries again.
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        PodListener[] listeners;
        lock (_lock)
        {
            listeners = [.. _listeners.Values];
            _listeners.Clear();
        }
        foreach (var listener in listeners) await listener.DisposeAsync();
    }

    private static bool Holds(IReadOnlyList<PodRecord> pods, string name, string netns)
    {
        foreach (var pod in pods)
        {
            if (pod.Name == name) return pod.Netns == netns;
        }
        return false;
    }
}
