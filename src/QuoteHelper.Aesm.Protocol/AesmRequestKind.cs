namespace QuoteHelper.Aesm.Protocol;

/// <summary>
/// The request kinds of <c>aesm.message.Request</c>, valued by their protobuf field number (aesm-protocol.md §2.2).
/// Request field <em>n</em> is always answered in Response field <em>n</em> (§2.1), so the value is also the response
/// field number.
/// </summary>
public enum AesmRequestKind
{
    /// <summary><c>initQuoteReq</c> (1): legacy EPID InitQuote.</summary>
    InitQuote = 1,

    /// <summary><c>getQuoteReq</c> (2): legacy EPID GetQuote.</summary>
    GetQuote = 2,

    /// <summary><c>getLicTokenReq</c> (3): legacy launch token.</summary>
    GetLaunchToken = 3,

    /// <summary><c>reportErrReq</c> (4): legacy ReportAttestationError.</summary>
    ReportAttestationError = 4,

    /// <summary><c>getWhiteListSizeReq</c> (10): legacy launch white list size.</summary>
    GetWhiteListSize = 10,

    /// <summary><c>getWhiteListReq</c> (11): legacy launch white list.</summary>
    GetWhiteList = 11,

    /// <summary><c>sgxGetExtendedEpidGroupIdReq</c> (12): legacy EPID.</summary>
    SgxGetExtendedEpidGroupId = 12,

    /// <summary><c>sgxSwitchExtendedEpidGroupReq</c> (13): legacy EPID.</summary>
    SgxSwitchExtendedEpidGroup = 13,

    /// <summary><c>sgxRegisterReq</c> (14): legacy registration.</summary>
    SgxRegister = 14,

    /// <summary><c>initQuoteExReq</c> (15): quote-ex InitQuoteEx (§6.5).</summary>
    InitQuoteEx = 15,

    /// <summary><c>getQuoteSizeExReq</c> (16): quote-ex GetQuoteSizeEx (§6.6).</summary>
    GetQuoteSizeEx = 16,

    /// <summary><c>getQuoteExReq</c> (17): quote-ex GetQuoteEx (§6.7).</summary>
    GetQuoteEx = 17,

    /// <summary><c>checkUpdateStatusReq</c> (18): legacy EPID.</summary>
    CheckUpdateStatus = 18,

    /// <summary><c>selectAttKeyIDReq</c> (19): quote-ex SelectAttKeyID (§6.4).</summary>
    SelectAttKeyId = 19,

    /// <summary><c>getSupportedAttKeyIDNumReq</c> (21): quote-ex GetSupportedAttKeyIDNum (§6.3).</summary>
    GetSupportedAttKeyIdNum = 21,

    /// <summary><c>getSupportedAttKeyIDsReq</c> (22): quote-ex GetSupportedAttKeyIDs (§6.2).</summary>
    GetSupportedAttKeyIds = 22,
}

/// <summary>Classification of <see cref="AesmRequestKind"/> values.</summary>
public static class AesmRequestKindExtensions
{
    /// <summary>
    /// True for the legacy EPID / launch / registration kinds (1–4, 10–14, 18), which an ECDSA-only server answers with
    /// AESM_SERVICE_UNAVAILABLE (30) in the matching field (aesm-protocol.md §3 rule 6); false for the six quote-ex kinds.
    /// </summary>
    /// <param name="kind">A defined request kind.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is not a defined value.</exception>
    public static bool IsLegacy(this AesmRequestKind kind) => kind switch
    {
        AesmRequestKind.InitQuoteEx or AesmRequestKind.GetQuoteSizeEx or AesmRequestKind.GetQuoteEx
            or AesmRequestKind.SelectAttKeyId or AesmRequestKind.GetSupportedAttKeyIdNum
            or AesmRequestKind.GetSupportedAttKeyIds => false,
        AesmRequestKind.InitQuote or AesmRequestKind.GetQuote or AesmRequestKind.GetLaunchToken
            or AesmRequestKind.ReportAttestationError or AesmRequestKind.GetWhiteListSize
            or AesmRequestKind.GetWhiteList or AesmRequestKind.SgxGetExtendedEpidGroupId
            or AesmRequestKind.SgxSwitchExtendedEpidGroup or AesmRequestKind.SgxRegister
            or AesmRequestKind.CheckUpdateStatus => true,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not an AESM request field number."),
    };
}
