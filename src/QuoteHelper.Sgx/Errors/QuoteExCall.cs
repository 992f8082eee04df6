namespace QuoteHelper.Sgx.Errors;

/// <summary>The six quote-ex calls of <c>libsgx_quote_ex</c>; the AESM → sgx_status_t mapping depends on the call.</summary>
public enum QuoteExCall
{
    /// <summary><c>sgx_select_att_key_id</c> (request field 19).</summary>
    SelectAttKeyId,
    /// <summary><c>sgx_init_quote_ex</c> (request field 15).</summary>
    InitQuoteEx,
    /// <summary><c>sgx_get_quote_size_ex</c> (request field 16).</summary>
    GetQuoteSizeEx,
    /// <summary><c>sgx_get_quote_ex</c> (request field 17).</summary>
    GetQuoteEx,
    /// <summary><c>sgx_get_supported_att_key_id_num</c> (request field 21).</summary>
    GetSupportedAttKeyIdNum,
    /// <summary><c>sgx_get_supported_att_key_ids</c> (request field 22).</summary>
    GetSupportedAttKeyIds,
}
