using Google.Protobuf;
using QuoteHelper.Aesm.Protocol.Messages;

namespace QuoteHelper.Aesm.Protocol;

/// <summary>
/// Picks the request a server acts on and checks its proto2 <c>required</c> fields (aesm-protocol.md §3). The
/// top-level <see cref="Request"/> is not a <c>oneof</c>: several sub-messages may be present, and Intel acts on the
/// first one in a fixed order.
/// </summary>
public static class AesmDispatch
{
    /// <summary>
    /// Intel's SGX 2.26 dispatch order (aesm-protocol.md §3 rule 3) — not field-number order: the launch token (3)
    /// comes first and CheckUpdateStatus (18) sits among the legacy kinds. 2.29's order (15, 16, 17, 19, 21, 22) is the
    /// same order restricted to the surviving kinds, so this list serves old and new clients alike.
    /// </summary>
    private static readonly AesmRequestKind[] s_intelOrder =
    [
        AesmRequestKind.GetLaunchToken,
        AesmRequestKind.InitQuote,
        AesmRequestKind.GetQuote,
        AesmRequestKind.ReportAttestationError,
        AesmRequestKind.CheckUpdateStatus,
        AesmRequestKind.GetWhiteListSize,
        AesmRequestKind.GetWhiteList,
        AesmRequestKind.SgxGetExtendedEpidGroupId,
        AesmRequestKind.SgxSwitchExtendedEpidGroup,
        AesmRequestKind.SgxRegister,
        AesmRequestKind.InitQuoteEx,
        AesmRequestKind.GetQuoteSizeEx,
        AesmRequestKind.GetQuoteEx,
        AesmRequestKind.SelectAttKeyId,
        AesmRequestKind.GetSupportedAttKeyIdNum,
        AesmRequestKind.GetSupportedAttKeyIds,
    ];

    /// <summary>
    /// Returns the first present sub-message of <paramref name="request"/> in Intel's order
    /// (3, 1, 2, 4, 18, 10, 11, 12, 13, 14, 15, 16, 17, 19, 21, 22); other present sub-messages are ignored.
    /// </summary>
    /// <param name="request">A parsed request.</param>
    /// <returns>
    /// The kind to act on, or null when no known sub-message is present (empty body or unknown fields only): the
    /// server then closes the connection without a reply (§3 rule 4).
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is null.</exception>
    public static AesmRequestKind? SelectRequest(Request request)
    {
        ArgumentNullException.ThrowIfNull(request);
        foreach (AesmRequestKind kind in s_intelOrder)
        {
            if (GetSubMessage(request, kind) is not null)
            {
                return kind;
            }
        }

        return null;
    }

    /// <summary>Returns the sub-message of <paramref name="request"/> at field <paramref name="kind"/>, or null when absent.</summary>
    /// <param name="request">A parsed request.</param>
    /// <param name="kind">The field to read.</param>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is not a defined value.</exception>
    public static IMessage? GetSubMessage(Request request, AesmRequestKind kind)
    {
        ArgumentNullException.ThrowIfNull(request);
        return kind switch
        {
            AesmRequestKind.InitQuote => request.InitQuoteReq,
            AesmRequestKind.GetQuote => request.GetQuoteReq,
            AesmRequestKind.GetLaunchToken => request.GetLicTokenReq,
            AesmRequestKind.ReportAttestationError => request.ReportErrReq,
            AesmRequestKind.GetWhiteListSize => request.GetWhiteListSizeReq,
            AesmRequestKind.GetWhiteList => request.GetWhiteListReq,
            AesmRequestKind.SgxGetExtendedEpidGroupId => request.SgxGetExtendedEpidGroupIdReq,
            AesmRequestKind.SgxSwitchExtendedEpidGroup => request.SgxSwitchExtendedEpidGroupReq,
            AesmRequestKind.SgxRegister => request.SgxRegisterReq,
            AesmRequestKind.InitQuoteEx => request.InitQuoteExReq,
            AesmRequestKind.GetQuoteSizeEx => request.GetQuoteSizeExReq,
            AesmRequestKind.GetQuoteEx => request.GetQuoteExReq,
            AesmRequestKind.CheckUpdateStatus => request.CheckUpdateStatusReq,
            AesmRequestKind.SelectAttKeyId => request.SelectAttKeyIDReq,
            AesmRequestKind.GetSupportedAttKeyIdNum => request.GetSupportedAttKeyIDNumReq,
            AesmRequestKind.GetSupportedAttKeyIds => request.GetSupportedAttKeyIDsReq,
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not an AESM request field number."),
        };
    }

    /// <summary>
    /// True when every proto2 <c>required</c> field of the <paramref name="kind"/> sub-message is present
    /// (aesm-protocol.md §2.3). Google.Protobuf parses a message with missing required fields without complaint, so
    /// this is where the check happens; when it fails, answer <see cref="AesmResponses.MissingRequiredField"/>
    /// (§3 rule 5). <c>InitQuoteExRequest.buf_size</c> is optional: a request without it is complete (SGX 2.30.1).
    /// </summary>
    /// <param name="request">A parsed request.</param>
    /// <param name="kind">The kind returned by <see cref="SelectRequest"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is null.</exception>
    /// <exception cref="ArgumentException">The <paramref name="kind"/> sub-message is absent from <paramref name="request"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is not a defined value.</exception>
    public static bool HasRequiredFields(Request request, AesmRequestKind kind)
    {
        if (GetSubMessage(request, kind) is null)
        {
            throw new ArgumentException($"The request carries no {kind} sub-message.", nameof(kind));
        }

        return kind switch
        {
            AesmRequestKind.GetQuote => request.GetQuoteReq.HasReport && request.GetQuoteReq.HasQuoteType
                && request.GetQuoteReq.HasSpid && request.GetQuoteReq.HasBufSize,
            AesmRequestKind.GetLaunchToken => request.GetLicTokenReq.HasMrEnclave && request.GetLicTokenReq.HasMrSigner
                && request.GetLicTokenReq.HasSeAttributes,
            AesmRequestKind.ReportAttestationError => request.ReportErrReq.HasPlatformInfo
                && request.ReportErrReq.HasAttestationErrorCode && request.ReportErrReq.HasUpdateInfoSize,
            AesmRequestKind.SgxRegister => request.SgxRegisterReq.HasBuf && request.SgxRegisterReq.HasDataType,
            AesmRequestKind.InitQuoteEx => request.InitQuoteExReq.HasBPubKeyId,
            AesmRequestKind.GetQuoteEx => request.GetQuoteExReq.HasReport && request.GetQuoteExReq.HasBufSize,
            AesmRequestKind.CheckUpdateStatus => request.CheckUpdateStatusReq.HasUpdateInfoSize
                && request.CheckUpdateStatusReq.HasConfig,
            AesmRequestKind.GetSupportedAttKeyIds => request.GetSupportedAttKeyIDsReq.HasBufSize,

            // No required fields besides optional timeouts and payloads.
            AesmRequestKind.InitQuote or AesmRequestKind.GetWhiteListSize or AesmRequestKind.GetWhiteList
                or AesmRequestKind.SgxGetExtendedEpidGroupId or AesmRequestKind.SgxSwitchExtendedEpidGroup
                or AesmRequestKind.GetQuoteSizeEx or AesmRequestKind.SelectAttKeyId
                or AesmRequestKind.GetSupportedAttKeyIdNum => true,
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not an AESM request field number."),
        };
    }
}
