namespace QuoteHelper.Collateral.Simulation;

/// <summary>
/// Where the simulated collateral puts the simulated platform: the status of the TCB level its PCK certificate's TCB
/// matches, the status of the QE identity level its QE SVN matches, and whether the PCK CRL revokes its PCK
/// certificate. The levels are chosen relative to the platform (docs/collateral.md, "Simulated scenarios"), so a
/// scenario holds whatever the platform's SVNs are.
/// </summary>
public sealed record CollateralScenario
{
    /// <summary>Intel's <c>tcbStatus</c> names a platform TCB level can carry (dcap-quote.md §5.4).</summary>
    public static IReadOnlyList<string> PlatformStatuses { get; } =
    [
        TcbStatusNames.UpToDate, TcbStatusNames.SWHardeningNeeded, TcbStatusNames.ConfigurationNeeded,
        TcbStatusNames.ConfigurationAndSWHardeningNeeded, TcbStatusNames.OutOfDate,
        TcbStatusNames.OutOfDateConfigurationNeeded, TcbStatusNames.Revoked,
    ];

    /// <summary>Intel's <c>tcbStatus</c> names a QE identity level can carry (dcap-quote.md §5.2).</summary>
    public static IReadOnlyList<string> QeStatuses { get; } =
        [TcbStatusNames.UpToDate, TcbStatusNames.OutOfDate, TcbStatusNames.Revoked];

    /// <summary>Platform UpToDate, QE UpToDate, nothing revoked.</summary>
    public static CollateralScenario UpToDate { get; } = Platform(TcbStatusNames.UpToDate);

    /// <summary>Platform level SWHardeningNeeded with INTEL-SA-00615.</summary>
    public static CollateralScenario SWHardeningNeeded { get; } = Platform(TcbStatusNames.SWHardeningNeeded);

    /// <summary>Platform level ConfigurationNeeded with INTEL-SA-00289.</summary>
    public static CollateralScenario ConfigurationNeeded { get; } = Platform(TcbStatusNames.ConfigurationNeeded);

    /// <summary>Platform level ConfigurationAndSWHardeningNeeded with INTEL-SA-00289 and INTEL-SA-00615.</summary>
    public static CollateralScenario ConfigurationAndSWHardeningNeeded { get; } = Platform(TcbStatusNames.ConfigurationAndSWHardeningNeeded);

    /// <summary>A higher UpToDate level exists; the platform's level is OutOfDate with INTEL-SA-00828.</summary>
    public static CollateralScenario OutOfDate { get; } = Platform(TcbStatusNames.OutOfDate);

    /// <summary>A higher UpToDate level exists; the platform's level is OutOfDateConfigurationNeeded.</summary>
    public static CollateralScenario OutOfDateConfigurationNeeded { get; } = Platform(TcbStatusNames.OutOfDateConfigurationNeeded);

    /// <summary>The platform's TCB level itself is Revoked.</summary>
    public static CollateralScenario TcbRevoked { get; } = Platform(TcbStatusNames.Revoked);

    /// <summary>Platform UpToDate, but the PCK CRL revokes the platform's PCK certificate.</summary>
    public static CollateralScenario Revoked { get; } = UpToDate with { RevokePck = true };

    /// <summary>Platform UpToDate; a newer QE exists, the running QE's level is OutOfDate (INTEL-SA-00615).</summary>
    public static CollateralScenario QeOutOfDate { get; } = UpToDate with { QeStatus = TcbStatusNames.OutOfDate };

    /// <summary>
    /// Platform ConfigurationNeeded and QE OutOfDate: Intel's merge gives OutOfDateConfigurationNeeded, dcap-qvl's
    /// maximum-severity merge gives OutOfDate (dcap-quote.md §5.7).
    /// </summary>
    public static CollateralScenario ConfigurationNeededQeOutOfDate { get; } =
        ConfigurationNeeded with { QeStatus = TcbStatusNames.OutOfDate };

    /// <summary>Every named scenario, by <see cref="Name"/>.</summary>
    public static IReadOnlyList<CollateralScenario> All { get; } =
    [
        UpToDate, SWHardeningNeeded, ConfigurationNeeded, ConfigurationAndSWHardeningNeeded, OutOfDate,
        OutOfDateConfigurationNeeded, TcbRevoked, Revoked, QeOutOfDate, ConfigurationNeededQeOutOfDate,
    ];

    /// <summary>Status of the TCB level the platform's PCK TCB matches (Intel's name). Default UpToDate.</summary>
    public string PlatformStatus { get; init; } = TcbStatusNames.UpToDate;

    /// <summary>Status of the QE identity level the platform's QE SVN matches (UpToDate, OutOfDate or Revoked).</summary>
    public string QeStatus { get; init; } = TcbStatusNames.UpToDate;

    /// <summary>When true, the PCK CRL lists the platform's PCK certificate (reason keyCompromise).</summary>
    public bool RevokePck { get; init; }

    /// <summary>
    /// The scenario's name: one of the names in <see cref="All"/> (<c>UpToDate</c>, <c>Revoked</c>,
    /// <c>QeOutOfDate</c>, …), or <c>Platform=STATUS,Qe=STATUS[,PckRevoked]</c> for any other combination.
    /// </summary>
    public string Name => this switch
    {
        { RevokePck: true, PlatformStatus: TcbStatusNames.UpToDate, QeStatus: TcbStatusNames.UpToDate } => "Revoked",
        { RevokePck: false, PlatformStatus: TcbStatusNames.Revoked, QeStatus: TcbStatusNames.UpToDate } => "TcbRevoked",
        { RevokePck: false, QeStatus: TcbStatusNames.UpToDate } => PlatformStatus,
        { RevokePck: false, PlatformStatus: TcbStatusNames.UpToDate, QeStatus: TcbStatusNames.OutOfDate } => "QeOutOfDate",
        { RevokePck: false, PlatformStatus: TcbStatusNames.ConfigurationNeeded, QeStatus: TcbStatusNames.OutOfDate } => "ConfigurationNeededQeOutOfDate",
        _ => $"Platform={PlatformStatus},Qe={QeStatus}" + (RevokePck ? ",PckRevoked" : ""),
    };

    /// <summary>The scenario named <paramref name="name"/> (case-insensitive), as <see cref="Name"/> writes it.</summary>
    /// <exception cref="ArgumentException">Not a scenario name.</exception>
    public static CollateralScenario Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var scenario in All)
        {
            if (string.Equals(scenario.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return scenario;
            }
        }

        var result = new CollateralScenario();
        foreach (var part in name.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var pair = part.Split('=', 2, StringSplitOptions.TrimEntries);
            result = pair switch
            {
                ["Platform", var status] when Known(PlatformStatuses, status) is { } s => result with { PlatformStatus = s },
                ["Qe", var status] when Known(QeStatuses, status) is { } s => result with { QeStatus = s },
                ["PckRevoked"] => result with { RevokePck = true },
                _ => throw new ArgumentException(
                    $"Unknown scenario '{name}'. Use one of {string.Join(", ", All.Select(s => s.Name))}, " +
                    "or Platform=STATUS,Qe=STATUS[,PckRevoked].", nameof(name)),
            };
        }

        return result;
    }

    private static CollateralScenario Platform(string status) => new() { PlatformStatus = status };

    private static string? Known(IReadOnlyList<string> names, string value) =>
        names.FirstOrDefault(n => string.Equals(n, value, StringComparison.OrdinalIgnoreCase));
}

/// <summary>Intel's <c>tcbStatus</c> strings (dcap-quote.md §5.4), exactly as they appear in TCB Info and QE Identity.</summary>
public static class TcbStatusNames
{
    /// <summary>UpToDate.</summary>
    public const string UpToDate = "UpToDate";

    /// <summary>SWHardeningNeeded.</summary>
    public const string SWHardeningNeeded = "SWHardeningNeeded";

    /// <summary>ConfigurationNeeded.</summary>
    public const string ConfigurationNeeded = "ConfigurationNeeded";

    /// <summary>ConfigurationAndSWHardeningNeeded.</summary>
    public const string ConfigurationAndSWHardeningNeeded = "ConfigurationAndSWHardeningNeeded";

    /// <summary>OutOfDate.</summary>
    public const string OutOfDate = "OutOfDate";

    /// <summary>OutOfDateConfigurationNeeded.</summary>
    public const string OutOfDateConfigurationNeeded = "OutOfDateConfigurationNeeded";

    /// <summary>Revoked.</summary>
    public const string Revoked = "Revoked";
}
