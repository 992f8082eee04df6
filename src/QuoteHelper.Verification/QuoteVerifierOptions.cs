using System.Security.Cryptography.X509Certificates;

namespace QuoteHelper.Verification;

/// <summary>Options of a <see cref="QuoteVerifier"/>; each documents its default and its risk.</summary>
public sealed record QuoteVerifierOptions
{
    /// <summary>
    /// DER of the trusted root certificate. Default null: the Intel SGX Root CA (<see cref="IntelRoot.Der"/>, dcap-quote.md
    /// §4.4). Any other root — the simulation root, Intel's QVL test root — only when the caller passes it here.
    /// </summary>
    public byte[]? TrustedRootDer { get; init; }

    /// <summary>
    /// Default false: Intel QVL/QvE semantics — a certificate past notAfter, a CRL outside [thisUpdate, nextUpdate], or
    /// a TCB Info / QE Identity past nextUpdate sets <see cref="VerificationResult.CollateralExpired"/> and verification
    /// continues (notBefore and issueDate are not checked, as in QVL). True: dcap-qvl semantics — any of these, and
    /// also notBefore, issueDate and thisUpdate in the future, fail the step that finds them.
    /// </summary>
    public bool StrictExpiry { get; init; }

    /// <summary>
    /// Default false: Intel QVL/QvE semantics — an evaluation time before a certificate's notBefore or a TCB Info /
    /// QE Identity issueDate is accepted (QVL never checks them), and one before a CRL's thisUpdate only sets
    /// <see cref="VerificationResult.CollateralExpired"/>. True: any of these fails the step that finds it with a
    /// <c>…NotYetValid</c> reason (a clock running behind, or collateral dated in the future, is not taken on trust),
    /// while expiry keeps the semantics chosen by <see cref="StrictExpiry"/>. <see cref="StrictExpiry"/> implies it.
    /// </summary>
    public bool StrictValidityStart { get; init; }

    /// <summary>Loads a root certificate given as DER or PEM (for the CLI's <c>--root</c>).</summary>
    /// <exception cref="System.Security.Cryptography.CryptographicException">Neither DER nor PEM of one certificate.</exception>
    public static byte[] LoadRoot(ReadOnlySpan<byte> derOrPem)
    {
        var trimmed = derOrPem.Trim("\t\n\r "u8);
        if (trimmed.StartsWith("-----BEGIN"u8))
        {
            using var pem = X509Certificate2.CreateFromPem(System.Text.Encoding.ASCII.GetString(trimmed));
            return pem.RawData;
        }

        using var der = X509CertificateLoader.LoadCertificate(derOrPem);
        return der.RawData;
    }
}
