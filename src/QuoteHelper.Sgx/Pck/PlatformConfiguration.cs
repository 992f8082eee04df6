namespace QuoteHelper.Sgx.Pck;

/// <summary>The Configuration entry of a Platform-CA PCK certificate's SGX extension (dcap-quote.md §4.3).</summary>
/// <param name="DynamicPlatform">Whether the platform can be extended with packages (OID …13.1.7.1).</param>
/// <param name="CachedKeys">Whether the platform root keys are cached by SGX registration (OID …13.1.7.2).</param>
/// <param name="SmtEnabled">Whether simultaneous multithreading is enabled (OID …13.1.7.3).</param>
public sealed record PlatformConfiguration(bool DynamicPlatform, bool CachedKeys, bool SmtEnabled);
