using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Turnpike.Tests.Infrastructure;

/// <summary>What one <c>openssl s_client</c> handshake got: protocol and cipher (null when it failed), ALPN, the server certificate's subject and key size.</summary>
internal sealed record OpenSslHandshake(string? Protocol, string? Cipher, string? Alpn, string? Subject, int? ServerKeyBits, string Output)
{
    public bool Succeeded => Cipher is not null;
}

/// <summary>
/// <c>openssl s_client</c> against a loopback port, as an operator's client with exactly the options a test gives it
/// (<c>-tls1_2 -cipher …</c>, <c>-sigalgs …</c>, <c>-alpn h2</c>): the client whose capabilities .NET's own cannot narrow.
/// </summary>
internal static partial class OpenSslClient
{
    public static async Task<OpenSslHandshake> HandshakeAsync(int port, string serverName, params string[] options)
    {
        var info = new ProcessStartInfo("openssl") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "s_client", "-connect", $"127.0.0.1:{port}", "-servername", serverName }.Concat(options))
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        process.StandardInput.Close(); // end of input: s_client closes once the handshake is done
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"openssl s_client {string.Join(' ', options)} did not finish");
        }

        var output = await stdout + "\n" + await stderr;
        var session = NewSession().Match(output);
        var cipher = session.Success && session.Groups[2].Value != "(NONE)" ? session.Groups[2].Value : null;
        var alpn = Alpn().Match(output);
        var subject = Subject().Match(output);
        var bits = KeyBits().Match(output);
        return new OpenSslHandshake(
            cipher is null ? null : session.Groups[1].Value,
            cipher,
            alpn.Success ? alpn.Groups[1].Value : null,
            subject.Success ? subject.Groups[1].Value.Trim() : null,
            bits.Success ? int.Parse(bits.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null,
            output);
    }

    [GeneratedRegex(@"^New, (\S+), Cipher is (\S+)", RegexOptions.Multiline)]
    private static partial Regex NewSession();

    [GeneratedRegex(@"^ALPN protocol: (\S+)", RegexOptions.Multiline)]
    private static partial Regex Alpn();

    [GeneratedRegex(@"^subject=(.+)$", RegexOptions.Multiline)]
    private static partial Regex Subject();

    [GeneratedRegex(@"^Server public key is (\d+) bit", RegexOptions.Multiline)]
    private static partial Regex KeyBits();
}
