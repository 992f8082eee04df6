namespace QuoteHelper.Verification;

/// <summary>TCB statuses with Intel's names (dcap-quote.md §5.4) — platform, QE and merged.</summary>
public enum TcbStatus
{
    /// <summary>The TCB is up to date.</summary>
    UpToDate = 0,
    /// <summary>Up to date, but software mitigations are needed (see the advisory IDs).</summary>
    SWHardeningNeeded,
    /// <summary>Platform configuration (e.g. BIOS) is needed.</summary>
    ConfigurationNeeded,
    /// <summary>Configuration and software mitigations are needed.</summary>
    ConfigurationAndSWHardeningNeeded,
    /// <summary>The TCB is out of date: patching is required.</summary>
    OutOfDate,
    /// <summary>Out of date, and configuration is needed.</summary>
    OutOfDateConfigurationNeeded,
    /// <summary>Revoked: terminal.</summary>
    Revoked,
}
