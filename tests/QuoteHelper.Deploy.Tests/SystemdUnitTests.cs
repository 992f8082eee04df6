using k8s.Models;

namespace QuoteHelper.Deploy.Tests;

/// <summary>deploy/systemd/quote-helper.service (+ the hardware drop-in) for hosts without Kubernetes.</summary>
public sealed class SystemdUnitTests
{
    private static readonly Dictionary<string, Dictionary<string, List<string>>> s_unit = ParseUnit(File.ReadAllText(Repo.SystemdUnit));
    private static readonly Dictionary<string, Dictionary<string, List<string>>> s_hardware = ParseUnit(File.ReadAllText(Repo.SystemdHardwareDropIn));

    /// <summary>[section] → key → values (a key may repeat), continuation lines joined, comments dropped.</summary>
    private static Dictionary<string, Dictionary<string, List<string>>> ParseUnit(string text)
    {
        var sections = new Dictionary<string, Dictionary<string, List<string>>>();
        Dictionary<string, List<string>>? current = null;
        var pending = "";
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (pending.Length == 0 && (line.TrimStart().StartsWith('#') || line.TrimStart().StartsWith(';') || line.Trim().Length == 0))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                pending += line[..^1].Trim() + " ";
                continue;
            }

            line = (pending + line.Trim()).Trim();
            pending = "";
            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                current = sections[line[1..^1]] = [];
                continue;
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            Assert.True(current is not null && eq > 0, $"not a unit line: {line}");
            var key = line[..eq];
            (current.TryGetValue(key, out var values) ? values : current[key] = []).Add(line[(eq + 1)..]);
        }

        return sections;
    }

    private static string Service(string key) => s_unit["Service"][key].Last();

    private static Dictionary<string, string> Environment(Dictionary<string, Dictionary<string, List<string>>> unit) =>
        unit["Service"].GetValueOrDefault("Environment", [])
            .Select(e => e.Trim('"'))
            .ToDictionary(e => e[..e.IndexOf('=', StringComparison.Ordinal)], e => e[(e.IndexOf('=', StringComparison.Ordinal) + 1)..]);

    private static List<string> ExecStartArgs()
    {
        var tokens = Service("ExecStart").Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        Assert.Equal("/opt/quote-helper/quote-helper", tokens[0]);
        Assert.Equal("daemon", tokens[1]);
        Assert.Equal("$QUOTE_HELPER_ARGS", tokens[^1]); // unbraced: split into zero or more words by systemd
        return tokens[2..^1];
    }

    [Fact]
    public void Service_IsTypeNotify_WithTheHostingLibrarysReadiness()
    {
        Assert.Equal("notify", Service("Type"));
        Assert.Equal("main", Service("NotifyAccess"));
        Assert.Equal("on-failure", Service("Restart"));
        Assert.Equal("SIGTERM", Service("KillSignal"));
    }

    [Fact]
    public void ExecStart_UsesTheAgreedFlags_WithTheStandardPaths()
    {
        var args = ExecStartArgs();
        Assert.Empty(DaemonContract.Check(args));
        Assert.Equal(ProjectRules.SocketPath, ProjectRules.FlagValue(args, "--socket"));
        Assert.Equal(ProjectRules.StateDir, ProjectRules.FlagValue(args, "--state-dir"));
        Assert.StartsWith("http://", ProjectRules.FlagValue(args, "--metrics-listen"), StringComparison.Ordinal);
        Assert.Contains("--json-logs", args);
        Assert.Equal("0666", ProjectRules.FlagValue(args, "--socket-mode"));
        Assert.Equal("30", ProjectRules.FlagValue(args, "--shutdown-timeout"));
        Assert.Equal("${QUOTE_HELPER_BACKEND}", ProjectRules.FlagValue(args, "--backend"));
        Assert.Equal("simulation", Environment(s_unit)["QUOTE_HELPER_BACKEND"]);
        Assert.Equal("", Environment(s_unit)["QUOTE_HELPER_ARGS"]);
    }

    [Fact]
    public void Stop_TimeoutExceedsTheShutdownTimeout_LikeTheChartsGracePeriod()
    {
        var shutdown = int.Parse(ProjectRules.FlagValue(ExecStartArgs(), "--shutdown-timeout")!, System.Globalization.CultureInfo.InvariantCulture);
        var timeoutStop = int.Parse(Service("TimeoutStopSec").TrimEnd('s'), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(timeoutStop > shutdown, $"TimeoutStopSec {timeoutStop} must exceed --shutdown-timeout {shutdown}");
        var chartGrace = Manifests.Get("simulation").Single<V1DaemonSet>().Spec.Template.Spec.TerminationGracePeriodSeconds;
        Assert.Equal(chartGrace, timeoutStop);
    }

    [Fact]
    public void Directories_RuntimeAesmdAndStateQuoteHelper_MatchTheFlags()
    {
        // RuntimeDirectory=aesmd is /run/aesmd = /var/run/aesmd; StateDirectory=quote-helper is /var/lib/quote-helper.
        Assert.Equal("aesmd", Service("RuntimeDirectory"));
        Assert.Equal("0755", Service("RuntimeDirectoryMode"));
        Assert.Equal("yes", Service("RuntimeDirectoryPreserve")); // bind mounts of the directory survive restarts
        Assert.Equal("quote-helper", Service("StateDirectory"));
        Assert.Equal("0700", Service("StateDirectoryMode"));
        Assert.Equal(ProjectRules.SocketDir, "/var/run/" + Service("RuntimeDirectory"));
        Assert.Equal(ProjectRules.StateDir, "/var/lib/" + Service("StateDirectory"));
        Assert.Equal("0022", Service("UMask")); // sgx-simulated-cpu.json beside the socket must stay readable
    }

    [Fact]
    public void Hardening_NoPrivilegesNoCapabilitiesReadOnlySystem()
    {
        Assert.Equal("yes", Service("NoNewPrivileges"));
        Assert.Equal("strict", Service("ProtectSystem"));
        Assert.Equal("yes", Service("ProtectHome"));
        Assert.Equal("yes", Service("PrivateTmp"));
        Assert.Equal("yes", Service("PrivateDevices"));
        Assert.Equal("", Service("CapabilityBoundingSet"));
        Assert.Equal("yes", Service("DynamicUser"));
        Assert.Equal("@system-service", Service("SystemCallFilter"));
        Assert.False(s_unit["Service"].ContainsKey("MemoryDenyWriteExecute"), "the .NET JIT cannot run under MemoryDenyWriteExecute");
        Assert.Contains("aesmd.service", s_unit["Unit"]["Conflicts"].Single(), StringComparison.Ordinal);
    }

    [Fact]
    public void HardwareDropIn_SelectsHardware_WithTheDevicesAndTheChartsLibraryPath()
    {
        var environment = Environment(s_hardware);
        Assert.Equal("hardware", environment["QUOTE_HELPER_BACKEND"]);
        var extra = environment["QUOTE_HELPER_ARGS"].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Empty(DaemonContract.Check(extra));
        var chartArgs = Manifests.Get("hardware").Single<V1DaemonSet>().Spec.Template.Spec.Containers.Single().Args;
        Assert.Equal(ProjectRules.FlagValue(chartArgs, "--dcap-library"), ProjectRules.FlagValue(extra, "--dcap-library"));

        var service = s_hardware["Service"];
        Assert.Equal("no", service["PrivateDevices"].Single());
        Assert.Equal("closed", service["DevicePolicy"].Single());
        Assert.Contains("/dev/sgx_enclave rw", service["DeviceAllow"]);
        Assert.Contains("/dev/sgx_provision rw", service["DeviceAllow"]);
        Assert.Equal("sgx_prv", service["SupplementaryGroups"].Single());
    }
}
