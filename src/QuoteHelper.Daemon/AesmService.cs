using System.Buffers;
using Google.Protobuf;
using QuoteHelper.Aesm.Protocol;
using QuoteHelper.Aesm.Protocol.Messages;
using QuoteHelper.Quoting;
using QuoteHelper.Sgx;
using QuoteHelper.Sgx.Errors;
using static QuoteHelper.Aesm.Protocol.Messages.Response.Types;

namespace QuoteHelper.Daemon;

/// <summary>
/// The server semantics of the AESM quote-ex calls (aesm-protocol.md §3 and §6), independent of sockets: one
/// parsed <see cref="Request"/> in, one <see cref="Response"/> (or none: close without reply) out. Every edge case
/// of Intel's server is reproduced here and nowhere else; the connection handler only frames bytes.
/// </summary>
public sealed class AesmService
{
    private readonly IQuotingBackend _backend;
    private readonly byte[] _supportedKeyIds;
    private static readonly ByteString s_zeroTargetInfo = ByteString.CopyFrom(new byte[TargetInfo.Size]);

    /// <summary>Creates the service over a quoting backend.</summary>
    public AesmService(IQuotingBackend backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        _backend = backend;
        _supportedKeyIds = [.. backend.SupportedAttestationKeyIds.SelectMany(id => id.Bytes.ToArray())];
    }

    /// <summary>The backend answering the quote calls.</summary>
    public IQuotingBackend Backend => _backend;

    /// <summary>
    /// Answers one request. Returns null when Intel's server would close the connection without a reply (no known
    /// sub-message present, §3 rule 4). When <paramref name="rentedBuffer"/> is set on return, the response's quote
    /// bytes live in it: return it to <see cref="ArrayPool{T}.Shared"/> once the response has been written.
    /// </summary>
    /// <param name="request">The parsed request.</param>
    /// <param name="kind">Receives the call answered (null when none).</param>
    /// <param name="rentedBuffer">Receives a pooled buffer the response borrows, or null.</param>
    public Response? Handle(Request request, out AesmRequestKind? kind, out byte[]? rentedBuffer)
    {
        ArgumentNullException.ThrowIfNull(request);
        rentedBuffer = null;
        kind = AesmDispatch.SelectRequest(request);
        if (kind is not { } selected)
        {
            return null;
        }

        // Legacy EPID / launch requests: a 2.28+ aesmd drops them; answering 30 in the matching field is the
        // friendlier, still wire-correct choice (§3 rule 6).
        if (selected.IsLegacy())
        {
            return AesmResponses.Error(selected, AesmError.ServiceUnavailable);
        }

        // Google.Protobuf does not enforce proto2 `required`: a known request missing one is answered with 1 and
        // only the fields that call always carries (§3 rule 5; InitQuoteEx without buf_size is valid).
        if (!AesmDispatch.HasRequiredFields(request, selected))
        {
            return AesmResponses.Error(selected, AesmError.UnexpectedError);
        }

        return selected switch
        {
            AesmRequestKind.InitQuoteEx => InitQuoteEx(request.InitQuoteExReq),
            AesmRequestKind.GetQuoteSizeEx => GetQuoteSizeEx(request.GetQuoteSizeExReq),
            AesmRequestKind.GetQuoteEx => GetQuoteEx(request.GetQuoteExReq, out rentedBuffer),
            AesmRequestKind.SelectAttKeyId => SelectAttKeyId(request.SelectAttKeyIDReq),
            AesmRequestKind.GetSupportedAttKeyIdNum => GetSupportedAttKeyIdNum(),
            AesmRequestKind.GetSupportedAttKeyIds => GetSupportedAttKeyIds(request.GetSupportedAttKeyIDsReq),
            _ => AesmResponses.Error(selected, AesmError.ServiceUnavailable),
        };
    }

    // §6.1: absent or shorter than 256 bytes → 3; the first 158 bytes must equal an advertised base → else 38.
    private AesmError CheckKeyId(bool present, ByteString keyId)
    {
        if (!present || keyId.Length < AttestationKeyId.Size)
        {
            return AesmError.ParameterError;
        }

        foreach (var advertised in _backend.SupportedAttestationKeyIds)
        {
            if (AttestationKeyId.BaseMatches(keyId.Span, advertised.Bytes))
            {
                return AesmError.Success;
            }
        }

        return AesmError.UnsupportedAttKeyId;
    }

    // §6.5
    private Response InitQuoteEx(Request.Types.InitQuoteExRequest request)
    {
        var pubKeyIdSize = request.HasBufSize ? request.BufSize : 0UL;
        var keyCheck = CheckKeyId(request.HasAttKeyId, request.AttKeyId);
        if (keyCheck != AesmError.Success)
        {
            return AesmResponses.Error(AesmRequestKind.InitQuoteEx, keyCheck, pubKeyIdSize);
        }

        if (!request.BPubKeyId)
        {
            // Size query only: 512 zero bytes, size 32, never a pub_key_id. Any buf_size is ignored: DCAP's
            // out-of-proc path sends an uninitialised value here (§9.3).
            return new Response
            {
                InitQuoteExRes = new InitQuoteExResponse
                {
                    ErrorCode = (uint)AesmError.Success,
                    TargetInfo = s_zeroTargetInfo,
                    PubKeyIdSize = 32,
                },
            };
        }

        if (pubKeyIdSize != 32)
        {
            return AesmResponses.Error(AesmRequestKind.InitQuoteEx, AesmError.ParameterError, pubKeyIdSize);
        }

        var targetInfo = new byte[TargetInfo.Size];
        var publicKeyId = new byte[32];
        var result = _backend.InitializeAttestationKey(targetInfo, publicKeyId);
        if (result != AesmError.Success)
        {
            return AesmResponses.Error(AesmRequestKind.InitQuoteEx, result, pubKeyIdSize);
        }

        return new Response
        {
            InitQuoteExRes = new InitQuoteExResponse
            {
                ErrorCode = (uint)AesmError.Success,
                TargetInfo = UnsafeByteOperations.UnsafeWrap(targetInfo),
                PubKeyIdSize = 32,
                PubKeyId = UnsafeByteOperations.UnsafeWrap(publicKeyId),
            },
        };
    }

    // §6.6
    private Response GetQuoteSizeEx(Request.Types.GetQuoteSizeExRequest request)
    {
        var keyCheck = CheckKeyId(request.HasAttKeyId, request.AttKeyId);
        if (keyCheck != AesmError.Success)
        {
            return AesmResponses.Error(AesmRequestKind.GetQuoteSizeEx, keyCheck);
        }

        var result = _backend.GetQuoteSize(out var size);
        return result != AesmError.Success
            ? AesmResponses.Error(AesmRequestKind.GetQuoteSizeEx, result)
            : new Response { GetQuoteSizeExRes = new GetQuoteSizeExResponse { ErrorCode = 0, QuoteSize = size } };
    }

    // §6.7, checks in Intel's order.
    private Response GetQuoteEx(Request.Types.GetQuoteExRequest request, out byte[]? rentedBuffer)
    {
        rentedBuffer = null;
        // qe_report_info is echoed whenever the request carried it, even on error (§6.7 response rules).
        var echo = request.HasQeReportInfo && request.QeReportInfo.Length != 0 ? request.QeReportInfo : null;
        var keyCheck = CheckKeyId(request.HasAttKeyId, request.AttKeyId);
        if (keyCheck != AesmError.Success)
        {
            return AesmResponses.Error(AesmRequestKind.GetQuoteEx, keyCheck, qeReportInfoEcho: echo);
        }

        if (request.Report.Length != Report.Size || (echo is not null && echo.Length != QeReportInfo.Size))
        {
            return AesmResponses.Error(AesmRequestKind.GetQuoteEx, AesmError.ParameterError, qeReportInfoEcho: echo);
        }

        // Intel allocates buf_size bytes unchecked; we cap it and never allocate what the client asked beyond that.
        var bufSize = request.BufSize;
        if (bufSize == 0 || bufSize > AesmLimits.MaxQuoteBufferSize)
        {
            return AesmResponses.Error(AesmRequestKind.GetQuoteEx, AesmError.ParameterError, qeReportInfoEcho: echo);
        }

        byte[]? qeReportInfo = echo?.ToByteArray();
        var buffer = ArrayPool<byte>.Shared.Rent((int)bufSize);
        var quote = buffer.AsSpan(0, (int)bufSize);
        var result = _backend.GetQuote(request.Report.Span, qeReportInfo, quote, out var quoteLength);
        if (result != AesmError.Success)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return AesmResponses.Error(AesmRequestKind.GetQuoteEx, result, qeReportInfoEcho: echo);
        }

        // The quote goes back as the whole buf_size buffer, zero padded; clients trim with signature_data_len.
        quote[quoteLength..].Clear();
        rentedBuffer = buffer;
        var response = new GetQuoteExResponse
        {
            ErrorCode = (uint)AesmError.Success,
            Quote = UnsafeByteOperations.UnsafeWrap(buffer.AsMemory(0, (int)bufSize)),
        };
        if (qeReportInfo is not null)
        {
            response.QeReportInfo = UnsafeByteOperations.UnsafeWrap(qeReportInfo);
        }

        return new Response { GetQuoteExRes = response };
    }

    // §6.4
    private Response SelectAttKeyId(Request.Types.SelectAttKeyIDRequest request)
    {
        var advertised = _backend.SupportedAttestationKeyIds;
        var candidates = new List<byte[]>();
        if (request.HasAttKeyIdList)
        {
            var list = request.AttKeyIdList.Span;
            if (!AttestationKeyIdList.TryValidate(list, out var count))
            {
                return AesmResponses.Error(AesmRequestKind.SelectAttKeyId, AesmError.ParameterError);
            }

            for (var i = 0; i < count; i++)
            {
                var entry = AttestationKeyIdList.Entry(list, i);
                foreach (var id in advertised)
                {
                    // A match adds the caller's own 256-byte entry, whatever it has in spid/att_key_type/reserved.
                    if (AttestationKeyId.BaseMatches(entry, id.Bytes))
                    {
                        candidates.Add(entry.ToArray());
                    }
                }
            }
        }
        else
        {
            candidates.AddRange(advertised.Select(id => id.Bytes.ToArray()));
        }

        if (candidates.Count == 0)
        {
            return AesmResponses.Error(AesmRequestKind.SelectAttKeyId, AesmError.UnsupportedAttKeyId);
        }

        // Several candidates: the one whose algorithm is the default quoting type (ECDSA-P256), else the first.
        var selected = candidates.Count == 1
            ? candidates[0]
            : candidates.FirstOrDefault(c => AttestationKeyId.Read(c).Algorithm == AttestationAlgorithm.EcdsaP256) ?? candidates[0];
        return new Response
        {
            SelectAttKeyIDRes = new SelectAttKeyIDResponse
            {
                ErrorCode = (uint)AesmError.Success,
                SelectedAttKeyId = UnsafeByteOperations.UnsafeWrap(selected),
            },
        };
    }

    // §6.3
    private Response GetSupportedAttKeyIdNum()
    {
        var count = (uint)_backend.SupportedAttestationKeyIds.Count;
        return count == 0
            ? AesmResponses.Error(AesmRequestKind.GetSupportedAttKeyIdNum, AesmError.ServiceUnavailable)
            : new Response
            {
                GetSupportedAttKeyIDNumRes = new GetSupportedAttKeyIDNumResponse { ErrorCode = 0, AttKeyIdNum = count },
            };
    }

    // §6.2
    private Response GetSupportedAttKeyIds(Request.Types.GetSupportedAttKeyIDsRequest request)
    {
        if (_supportedKeyIds.Length == 0)
        {
            return AesmResponses.Error(AesmRequestKind.GetSupportedAttKeyIds, AesmError.ServiceUnavailable);
        }

        if (request.BufSize != (uint)_supportedKeyIds.Length)
        {
            return AesmResponses.Error(AesmRequestKind.GetSupportedAttKeyIds, AesmError.ParameterError);
        }

        return new Response
        {
            GetSupportedAttKeyIDsRes = new GetSupportedAttKeyIDsResponse
            {
                ErrorCode = (uint)AesmError.Success,
                AttKeyIds = UnsafeByteOperations.UnsafeWrap(_supportedKeyIds),
            },
        };
    }
}
