using System.Text;
using QuoteHelper.Sgx.Simulation;

namespace QuoteHelper.Sgx.Tests.Simulation;

public sealed class SimulatedCpuTests
{
    [Fact]
    public void ToJson_FromJson_RoundTrips()
    {
        var cpu = new SimulatedCpu(Enumerable.Repeat((byte)1, 32).ToArray(), Enumerable.Repeat((byte)2, 32).ToArray(), Enumerable.Repeat((byte)3, 16).ToArray());
        var json = cpu.ToJson();

        Assert.Equal(
            "{\"reportSecret\":\"" + string.Concat(Enumerable.Repeat("01", 32)) +
            "\",\"reportKeyId\":\"" + string.Concat(Enumerable.Repeat("02", 32)) +
            "\",\"cpuSvn\":\"" + string.Concat(Enumerable.Repeat("03", 16)) + "\"}",
            Encoding.UTF8.GetString(json));
        var back = SimulatedCpu.FromJson(json);
        Assert.Equal(cpu.ReportSecret, back.ReportSecret);
        Assert.Equal(cpu.ReportKeyId, back.ReportKeyId);
        Assert.Equal(cpu.CpuSvn, back.CpuSvn);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("[]")]
    [InlineData("{\"reportSecret\":\"00\",\"reportKeyId\":\"00\",\"cpuSvn\":\"00\"}")]
    [InlineData("{\"reportSecret\":\"zz\"}")]
    public void FromJson_Malformed_ThrowsInvalidData(string json) =>
        Assert.Throws<InvalidDataException>(() => SimulatedCpu.FromJson(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void FromJson_AboveCap_ThrowsInvalidData() =>
        Assert.Throws<InvalidDataException>(() => SimulatedCpu.FromJson(new byte[SimulatedCpu.MaxFileLength + 1]));
}
