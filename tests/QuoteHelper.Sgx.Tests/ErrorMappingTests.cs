using QuoteHelper.Sgx.Errors;

namespace QuoteHelper.Sgx.Tests;

/// <summary>The three mapping tables of aesm-protocol.md §7.3, §8.6 and §8.7, row by row, with Intel's numbers.</summary>
public sealed class ErrorMappingTests
{
    // §7.3 quote3_error_to_aesm_error.
    [Theory]
    [InlineData(0x0000u, 0u)]
    [InlineData(0xE001u, 1u)]
    [InlineData(0xE002u, 3u)]
    [InlineData(0xE003u, 21u)]
    [InlineData(0xE004u, 32u)]
    [InlineData(0xE005u, 33u)]
    [InlineData(0xE006u, 15u)]
    [InlineData(0xE007u, 34u)]
    [InlineData(0xE008u, 35u)]
    [InlineData(0xE009u, 36u)]
    [InlineData(0xE00Au, 37u)]
    [InlineData(0xE00Bu, 38u)]
    [InlineData(0xE00Cu, 39u)]
    [InlineData(0xE00Du, 40u)]
    [InlineData(0xE00Eu, 41u)]
    [InlineData(0xE00Fu, 42u)]
    [InlineData(0xE010u, 43u)]
    [InlineData(0xE011u, 44u)]
    [InlineData(0xE012u, 29u)]
    [InlineData(0xE013u, 45u)]
    [InlineData(0xE014u, 46u)]
    [InlineData(0xE015u, 47u)]
    [InlineData(0xE016u, 48u)]
    [InlineData(0xE017u, 49u)]
    [InlineData(0xE018u, 50u)]
    [InlineData(0xE019u, 12u)]
    [InlineData(0xE01Au, 22u)]
    // "anything else" → 1
    [InlineData(0xE01Bu, 1u)]
    [InlineData(0xE03Fu, 1u)]
    [InlineData(0xE040u, 1u)]
    [InlineData(0xE043u, 1u)]
    [InlineData(0x1234u, 1u)]
    public void ToAesmError_Quote3Error_MapsAsEcdsaBundle(uint quote3Error, uint expectedAesm)
    {
        Assert.Equal((AesmError)expectedAesm, ErrorMapping.ToAesmError((Quote3Error)quote3Error));
    }

    // §8.6 step 1: the same result for every call.
    [Theory]
    [InlineData(0u, 0x0000u)]
    [InlineData(20u, 0x4006u)]
    [InlineData(1u, 0x0001u)]
    [InlineData(3u, 0x0002u)]
    [InlineData(17u, 0x4001u)]
    [InlineData(30u, 0x4001u)]
    [InlineData(48u, 0x4001u)]
    [InlineData(46u, 0x4001u)]
    [InlineData(21u, 0x0003u)]
    [InlineData(18u, 0x400Au)]
    [InlineData(31u, 0x4012u)]
    [InlineData(12u, 0x4007u)]
    [InlineData(13u, 0x4007u)]
    [InlineData(14u, 0x4007u)]
    [InlineData(2u, 0x2006u)]
    public void ToSgxStatus_CommonCode_SameForEveryCall(uint aesm, uint expectedStatus)
    {
        foreach (var call in Enum.GetValues<QuoteExCall>())
        {
            Assert.Equal((SgxStatus)expectedStatus, ErrorMapping.ToSgxStatus((AesmError)aesm, call));
        }
    }

    // §8.6 step 2, per call; rows with 0x0001 pin codes that stay SGX_ERROR_UNEXPECTED for that call.
    [Theory]
    // select_att_key_id
    [InlineData(QuoteExCall.SelectAttKeyId, 38u, 0x8001u)]
    [InlineData(QuoteExCall.SelectAttKeyId, 29u, 0x0001u)]
    [InlineData(QuoteExCall.SelectAttKeyId, 42u, 0x0001u)]
    [InlineData(QuoteExCall.SelectAttKeyId, 44u, 0x0001u)]
    [InlineData(QuoteExCall.SelectAttKeyId, 47u, 0x0001u)]
    // init_quote_ex
    [InlineData(QuoteExCall.InitQuoteEx, 38u, 0x8001u)]
    [InlineData(QuoteExCall.InitQuoteEx, 50u, 0x8002u)]
    [InlineData(QuoteExCall.InitQuoteEx, 44u, 0x8005u)]
    [InlineData(QuoteExCall.InitQuoteEx, 4u, 0x4003u)]
    [InlineData(QuoteExCall.InitQuoteEx, 5u, 0x4005u)]
    [InlineData(QuoteExCall.InitQuoteEx, 19u, 0x400Au)]
    [InlineData(QuoteExCall.InitQuoteEx, 16u, 0x0001u)]
    [InlineData(QuoteExCall.InitQuoteEx, 29u, 0x2005u)]
    [InlineData(QuoteExCall.InitQuoteEx, 42u, 0x0001u)]
    [InlineData(QuoteExCall.InitQuoteEx, 45u, 0x0001u)]
    [InlineData(QuoteExCall.InitQuoteEx, 47u, 0x0001u)]
    [InlineData(QuoteExCall.InitQuoteEx, 43u, 0x0001u)]
    // get_quote_size_ex
    [InlineData(QuoteExCall.GetQuoteSizeEx, 42u, 0x8003u)]
    [InlineData(QuoteExCall.GetQuoteSizeEx, 43u, 0x0001u)]
    [InlineData(QuoteExCall.GetQuoteSizeEx, 38u, 0x8001u)]
    [InlineData(QuoteExCall.GetQuoteSizeEx, 29u, 0x0001u)]
    [InlineData(QuoteExCall.GetQuoteSizeEx, 44u, 0x0001u)]
    [InlineData(QuoteExCall.GetQuoteSizeEx, 47u, 0x0001u)]
    // get_quote_ex
    [InlineData(QuoteExCall.GetQuoteEx, 42u, 0x8003u)]
    [InlineData(QuoteExCall.GetQuoteEx, 43u, 0x0001u)]
    [InlineData(QuoteExCall.GetQuoteEx, 38u, 0x8001u)]
    [InlineData(QuoteExCall.GetQuoteEx, 45u, 0x3001u)]
    [InlineData(QuoteExCall.GetQuoteEx, 47u, 0x3001u)]
    [InlineData(QuoteExCall.GetQuoteEx, 49u, 0x0001u)]
    [InlineData(QuoteExCall.GetQuoteEx, 4u, 0x4003u)]
    [InlineData(QuoteExCall.GetQuoteEx, 5u, 0x4005u)]
    [InlineData(QuoteExCall.GetQuoteEx, 19u, 0x400Au)]
    [InlineData(QuoteExCall.GetQuoteEx, 16u, 0x0001u)]
    [InlineData(QuoteExCall.GetQuoteEx, 29u, 0x2005u)]
    [InlineData(QuoteExCall.GetQuoteEx, 44u, 0x0001u)]
    [InlineData(QuoteExCall.GetQuoteEx, 50u, 0x0001u)]
    // get_supported_att_key_id_num / _ids: no specific mappings
    [InlineData(QuoteExCall.GetSupportedAttKeyIdNum, 38u, 0x0001u)]
    [InlineData(QuoteExCall.GetSupportedAttKeyIdNum, 29u, 0x0001u)]
    [InlineData(QuoteExCall.GetSupportedAttKeyIds, 38u, 0x0001u)]
    [InlineData(QuoteExCall.GetSupportedAttKeyIds, 42u, 0x0001u)]
    // codes Intel never names stay unexpected
    [InlineData(QuoteExCall.GetQuoteEx, 999u, 0x0001u)]
    [InlineData(QuoteExCall.InitQuoteEx, 51u, 0x0001u)]
    public void ToSgxStatus_PerCallCode_MapsAsSgxUaeService(QuoteExCall call, uint aesm, uint expectedStatus)
    {
        Assert.Equal((SgxStatus)expectedStatus, ErrorMapping.ToSgxStatus((AesmError)aesm, call));
    }

    // §8.7 DCAP wrapper, out-of-proc.
    [Theory]
    [InlineData(0x0000u, 0x0000u)]
    [InlineData(0x0001u, 0xE001u)]
    [InlineData(0x0002u, 0xE002u)]
    [InlineData(0x0003u, 0xE003u)]
    [InlineData(0x2006u, 0xE03Fu)]
    [InlineData(0x4001u, 0xE040u)]
    [InlineData(0x4007u, 0xE041u)]
    [InlineData(0x4002u, 0xE042u)]
    [InlineData(0x400Au, 0xE043u)]
    [InlineData(0x8001u, 0xE00Bu)]
    [InlineData(0x8002u, 0xE010u)]
    [InlineData(0x8005u, 0xE011u)]
    [InlineData(0x8003u, 0xE00Fu)]
    // everything else, including MAC mismatch and OUT_OF_EPC → 0xE001
    [InlineData(0x3001u, 0xE001u)]
    [InlineData(0x2005u, 0xE001u)]
    [InlineData(0x4006u, 0xE001u)]
    [InlineData(0x4012u, 0xE001u)]
    [InlineData(0x8004u, 0xE001u)]
    [InlineData(0x4003u, 0xE001u)]
    public void ToQuote3Error_SgxStatus_MapsAsDcapWrapper(uint status, uint expectedQuote3)
    {
        Assert.Equal((Quote3Error)expectedQuote3, ErrorMapping.ToQuote3Error((SgxStatus)status));
    }
}
