using System.ComponentModel;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Portal.Agent.Dataplane;

/// <summary>
/// Sockets (and other per-namespace work) inside a named network namespace without a helper process. A socket
/// belongs for its whole life to the namespace it was created in, and setns changes only the calling thread, so a
/// fresh thread enters the namespace, does the work and ends; the agent's own threads never move.
/// </summary>
internal static class NetnsSocket
{
    public const string NamespaceDirectory = "/var/run/netns";

    private const int CloneNewNet = 0x40000000;

    // The thread only opens a file, calls setns and creates a socket: a small stack is plenty.
    private const int ThreadStackSize = 256 * 1024;

    /// <summary>A socket in <paramref name="netns"/> (a name under /var/run/netns), or in the current namespace when null.</summary>
    public static Socket Create(string? netns, AddressFamily family, SocketType type, ProtocolType protocol) =>
        netns is null ? new Socket(family, type, protocol) : Run(netns, () => new Socket(family, type, protocol));

    /// <summary>Runs <paramref name="work"/> on a dedicated thread inside <paramref name="netns"/> and returns its result.</summary>
    public static T Run<T>(string netns, Func<T> work)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle(PathOf(netns), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                if (setns((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
                    throw new Win32Exception(Marshal.GetLastPInvokeError(), $"Could not enter the network namespace {netns}");
                result = work();
            }
            catch (Exception e)
            {
                failure = e;
            }
        }, ThreadStackSize) { IsBackground = true, Name = "netns" };
        thread.Start();
        thread.Join();
        if (failure is not null) throw failure is FileNotFoundException ? new InvalidOperationException($"The network namespace {netns} does not exist.", failure) : failure;
        return result;
    }

    public static string PathOf(string netns) => Path.Combine(NamespaceDirectory, netns);

    /// <summary>
    /// The namespace's identity (its nsfs inode), or 0 when there is no such name. A namespace deleted and created
    /// again under the same name is a different namespace, and a socket left in the old one serves nobody.
    /// </summary>
    public static ulong Identity(string netns)
    {
        var buffer = new byte[StatxSize];
        if (statx(AtFdCwd, PathOf(netns), 0, StatxIno, buffer) != 0) return 0;
        return BitConverter.ToUInt64(buffer, StatxInoOffset);
    }

    // struct statx has one layout on every architecture; stx_ino is the u64 at offset 32.
    private const int AtFdCwd = -100;
    private const uint StatxIno = 0x100;
    private const int StatxSize = 256;
    private const int StatxInoOffset = 32;

    [DllImport("libc", SetLastError = true)]
    private static extern int setns(int fd, int nstype);

    [DllImport("libc", SetLastError = true)]
    private static extern int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);
}
