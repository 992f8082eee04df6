using System.Globalization;
using System.Net.Sockets;

namespace QuoteHelper.Cli.Bench;

/// <summary>
/// CPU time and resident memory of another process, read from <c>/proc</c>, and the pid of the process serving a
/// Unix socket (from <c>SO_PEERCRED</c>), so the benchmark can charge the daemon's own CPU per quote.
/// </summary>
internal static class ProcessStats
{
    /// <summary>Pid of the process that accepted our connection on <paramref name="socketPath"/>, or null.</summary>
    public static int? ServerPid(string socketPath)
    {
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
            return Daemon.PeerCredentials.Of(socket)?.Pid;
        }
        catch (SocketException)
        {
            return null;
        }
    }

    /// <summary>utime + stime of <paramref name="pid"/> in seconds, or null when it cannot be read.</summary>
    public static double? CpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");

            // Fields after the parenthesised command name; utime and stime are fields 14 and 15 (clock ticks, 100 Hz).
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return ticks / 100.0;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Resident set size of <paramref name="pid"/> in MiB, or null.</summary>
    public static double? ResidentMiB(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var kib = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                    return kib / 1024.0;
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }

    /// <summary>Nearest-rank percentile <paramref name="p"/> (0..1) of sorted Stopwatch ticks, in milliseconds; 0 when empty.</summary>
    public static double PercentileMs(long[] sortedTicks, double p)
    {
        if (sortedTicks.Length == 0)
        {
            return 0;
        }

        var rank = Math.Clamp((int)Math.Ceiling(p * sortedTicks.Length) - 1, 0, sortedTicks.Length - 1);
        return sortedTicks[rank] * 1000.0 / System.Diagnostics.Stopwatch.Frequency;
    }
}
