using Google.Protobuf;
using QuoteHelper.Aesm.Protocol.Messages;
using QuoteHelper.Sgx.Errors;

namespace QuoteHelper.Aesm.Protocol;

/// <summary>
/// Builds error responses with Intel's shape — the one place that knows which response fields a call carries even
/// when it fails (aesm-protocol.md §6.8):
/// <list type="bullet">
/// <item>every response: <c>errorCode</c>, always serialized (proto2 has-bit), in the field number of the request (§3 rule 7);</item>
/// <item>InitQuoteEx (15): <c>pub_key_id_size</c> — the request's <c>buf_size</c> echoed, or 0 (§6.5);</item>
/// <item>GetQuoteSizeEx (16): <c>quote_size</c> = 0 (§6.6);</item>
/// <item>GetQuoteEx (17): <c>qe_report_info</c> echoed when the request carried a non-empty one (§6.7);</item>
/// <item>GetSupportedAttKeyIDNum (21): <c>att_key_id_num</c> = 0 (§6.3);</item>
/// <item>SelectAttKeyID (19), GetSupportedAttKeyIDs (22) and all legacy kinds: <c>errorCode</c> only (§6.2, §6.4, §3 rule 6).</item>
/// </list>
/// Success responses are built by the caller with the generated types (<c>new Response { InitQuoteExRes = … }</c>).
/// </summary>
public static class AesmResponses
{
    /// <summary>
    /// Builds the error response for <paramref name="kind"/> with explicit echo values.
    /// </summary>
    /// <param name="kind">The request kind; the response uses the same field number.</param>
    /// <param name="code">The error; any non-zero value, including codes not named in <see cref="AesmError"/>.</param>
    /// <param name="pubKeyIdSize">
    /// InitQuoteEx only: the value of <c>pub_key_id_size</c> — the request's <c>buf_size</c> when it had one, else 0
    /// (§6.5). Must be 0 for every other kind.
    /// </param>
    /// <param name="qeReportInfoEcho">
    /// GetQuoteEx only: the request's <c>qe_report_info</c>, echoed unchanged when non-empty (§6.7); null or empty
    /// means "not sent". Must be null or empty for every other kind.
    /// </param>
    /// <returns>A response with exactly one sub-message, at field number <paramref name="kind"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="kind"/> is not a defined value, or <paramref name="code"/> is <see cref="AesmError.Success"/>.
    /// </exception>
    /// <exception cref="ArgumentException">An echo value is given for a kind that does not carry it.</exception>
    public static Response Error(AesmRequestKind kind, AesmError code, ulong pubKeyIdSize = 0, ByteString? qeReportInfoEcho = null)
    {
        if (code == AesmError.Success)
        {
            throw new ArgumentOutOfRangeException(nameof(code), code, "An error response needs a non-zero errorCode.");
        }

        bool echoQeReportInfo = qeReportInfoEcho is { IsEmpty: false };
        if (pubKeyIdSize != 0 && kind != AesmRequestKind.InitQuoteEx)
        {
            throw new ArgumentException($"pub_key_id_size belongs to InitQuoteEx, not {kind}.", nameof(pubKeyIdSize));
        }

        if (echoQeReportInfo && kind != AesmRequestKind.GetQuoteEx)
        {
            throw new ArgumentException($"qe_report_info belongs to GetQuoteEx, not {kind}.", nameof(qeReportInfoEcho));
        }

        uint errorCode = (uint)code;
        var response = new Response();
        switch (kind)
        {
            case AesmRequestKind.InitQuoteEx:
                // pub_key_id_size is always present (§6.5); target_info and pub_key_id never on error.
                response.InitQuoteExRes = new Response.Types.InitQuoteExResponse { ErrorCode = errorCode, PubKeyIdSize = pubKeyIdSize };
                break;
            case AesmRequestKind.GetQuoteSizeEx:
                // quote_size = 0 is always present (§6.6).
                response.GetQuoteSizeExRes = new Response.Types.GetQuoteSizeExResponse { ErrorCode = errorCode, QuoteSize = 0 };
                break;
            case AesmRequestKind.GetQuoteEx:
                var getQuoteEx = new Response.Types.GetQuoteExResponse { ErrorCode = errorCode };
                if (echoQeReportInfo)
                {
                    // Echoed even on error, unchanged (§6.7); the client copies it back into the caller's structure.
                    getQuoteEx.QeReportInfo = qeReportInfoEcho;
                }

                response.GetQuoteExRes = getQuoteEx;
                break;
            case AesmRequestKind.SelectAttKeyId:
                response.SelectAttKeyIDRes = new Response.Types.SelectAttKeyIDResponse { ErrorCode = errorCode };
                break;
            case AesmRequestKind.GetSupportedAttKeyIdNum:
                // att_key_id_num = 0 is always present (§6.3).
                response.GetSupportedAttKeyIDNumRes = new Response.Types.GetSupportedAttKeyIDNumResponse { ErrorCode = errorCode, AttKeyIdNum = 0 };
                break;
            case AesmRequestKind.GetSupportedAttKeyIds:
                response.GetSupportedAttKeyIDsRes = new Response.Types.GetSupportedAttKeyIDsResponse { ErrorCode = errorCode };
                break;

            // Legacy kinds (§3 rule 6): errorCode only, typically 30 (AESM_SERVICE_UNAVAILABLE).
            case AesmRequestKind.InitQuote:
                response.InitQuoteRes = new Response.Types.InitQuoteResponse { ErrorCode = errorCode };
                break;
            case AesmRequestKind.GetQuote:
                response.GetQuoteRes = new Response.Types.GetQuoteResponse { ErrorCode = errorCode };
                break;
            case AesmRequestKind.GetLaunchToken:
                response.GetLicTokenRes = new Response.Types.GetLaunchTokenResponse { ErrorCode = errorCode };
                break;
            case AesmRequestKind.ReportAttestationError:
                response.ReportErrRes = new Response.Types.ReportAttestationErrorResponse { ErrorCode = errorCode };
                break;
            case AesmRequestKind.GetWhiteListSize:
                response.GetWhiteListSizeRes = new Response.Types.GetWhiteListSizeResponse { ErrorCode = errorCode };
                break;
            case AesmRequestKind.GetWhiteList:
                response.GetWhiteListRes = new Response.Types.GetWhiteListResponse { ErrorCode = errorCode };
                break;
            case AesmRequestKind.SgxGetExtendedEpidGroupId:
                response.SgxGetExtendedEpidGroupIdRes = new Response.Types.SGXGetExtendedEpidGroupIdResponse { ErrorCode = errorCode };
                break;
            case AesmRequestKind.SgxSwitchExtendedEpidGroup:
                response.SgxSwitchExtendedEpidGroupRes = new Response.Types.SGXSwitchExtendedEpidGroupResponse { ErrorCode = errorCode };
                break;
            case AesmRequestKind.SgxRegister:
                response.SgxRegisterRes = new Response.Types.SGXRegisterResponse { ErrorCode = errorCode };
                break;
            case AesmRequestKind.CheckUpdateStatus:
                response.CheckUpdateStatusRes = new Response.Types.CheckUpdateStatusResponse { ErrorCode = errorCode };
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not an AESM request field number.");
        }

        return response;
    }

    /// <summary>
    /// Builds the error response for the <paramref name="kind"/> sub-message of <paramref name="request"/>, taking the
    /// echo values from the request: InitQuoteEx echoes <c>buf_size</c> (or 0) as <c>pub_key_id_size</c> (§6.5),
    /// GetQuoteEx echoes a non-empty <c>qe_report_info</c> (§6.7). When the sub-message lacks a required field nothing
    /// is echoed, as in Intel's handlers, whose presence check fails before the request is read (§6.5 row 1, §6.7
    /// row 1); see also <see cref="MissingRequiredField"/>.
    /// </summary>
    /// <param name="request">The request being answered.</param>
    /// <param name="kind">The kind selected by <see cref="AesmDispatch.SelectRequest"/>.</param>
    /// <param name="code">The error; any non-zero value.</param>
    /// <returns>A response with exactly one sub-message, at field number <paramref name="kind"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is null.</exception>
    /// <exception cref="ArgumentException">The <paramref name="kind"/> sub-message is absent from <paramref name="request"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="kind"/> is not a defined value, or <paramref name="code"/> is <see cref="AesmError.Success"/>.
    /// </exception>
    public static Response Error(Request request, AesmRequestKind kind, AesmError code)
    {
        if (!AesmDispatch.HasRequiredFields(request, kind))
        {
            return Error(kind, code);
        }

        return kind switch
        {
            AesmRequestKind.InitQuoteEx => Error(kind, code, pubKeyIdSize: request.InitQuoteExReq.HasBufSize ? request.InitQuoteExReq.BufSize : 0),
            AesmRequestKind.GetQuoteEx => Error(kind, code, qeReportInfoEcho: request.GetQuoteExReq.HasQeReportInfo ? request.GetQuoteExReq.QeReportInfo : null),
            _ => Error(kind, code),
        };
    }

    /// <summary>
    /// The answer to a known request whose sub-message lacks a proto2 <c>required</c> field: AESM_UNEXPECTED_ERROR (1)
    /// with only the always-present fields, zeroed and nothing echoed (aesm-protocol.md §1.3, §3 rule 5).
    /// </summary>
    /// <param name="kind">The request kind; the response uses the same field number.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is not a defined value.</exception>
    public static Response MissingRequiredField(AesmRequestKind kind) => Error(kind, AesmError.UnexpectedError);

    /// <summary>
    /// Returns the sub-message of <paramref name="response"/> at field <paramref name="kind"/>, or null when absent.
    /// A client must treat an absent field as a failed call: it is what crashes Intel's client (§8.3).
    /// </summary>
    /// <param name="response">A parsed response.</param>
    /// <param name="kind">The kind of the request that was sent.</param>
    /// <exception cref="ArgumentNullException"><paramref name="response"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is not a defined value.</exception>
    public static IMessage? GetSubMessage(Response response, AesmRequestKind kind)
    {
        ArgumentNullException.ThrowIfNull(response);
        return kind switch
        {
            AesmRequestKind.InitQuote => response.InitQuoteRes,
            AesmRequestKind.GetQuote => response.GetQuoteRes,
            AesmRequestKind.GetLaunchToken => response.GetLicTokenRes,
            AesmRequestKind.ReportAttestationError => response.ReportErrRes,
            AesmRequestKind.GetWhiteListSize => response.GetWhiteListSizeRes,
            AesmRequestKind.GetWhiteList => response.GetWhiteListRes,
            AesmRequestKind.SgxGetExtendedEpidGroupId => response.SgxGetExtendedEpidGroupIdRes,
            AesmRequestKind.SgxSwitchExtendedEpidGroup => response.SgxSwitchExtendedEpidGroupRes,
            AesmRequestKind.SgxRegister => response.SgxRegisterRes,
            AesmRequestKind.InitQuoteEx => response.InitQuoteExRes,
            AesmRequestKind.GetQuoteSizeEx => response.GetQuoteSizeExRes,
            AesmRequestKind.GetQuoteEx => response.GetQuoteExRes,
            AesmRequestKind.CheckUpdateStatus => response.CheckUpdateStatusRes,
            AesmRequestKind.SelectAttKeyId => response.SelectAttKeyIDRes,
            AesmRequestKind.GetSupportedAttKeyIdNum => response.GetSupportedAttKeyIDNumRes,
            AesmRequestKind.GetSupportedAttKeyIds => response.GetSupportedAttKeyIDsRes,
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not an AESM request field number."),
        };
    }
}
