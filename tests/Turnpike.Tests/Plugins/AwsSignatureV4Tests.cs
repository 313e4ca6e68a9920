using System.Security.Cryptography;
using System.Text;
using Turnpike.Edge.Plugins.AwsLambda;
using Xunit;

namespace Turnpike.Tests.Plugins;

/// <summary>The project's SigV4 against AWS's published test suite (Fixtures/aws-sig-v4), and the signing-key cache.</summary>
[Fast]
public sealed class AwsSignatureV4Tests
{
    private static readonly AwsCredentials Example = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    private static readonly DateTimeOffset SigningTime = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "Fixtures", "aws-sig-v4");

    public static TheoryData<string> Cases()
    {
        var cases = new TheoryData<string>();
        foreach (var directory in Directory.GetDirectories(Root).Order(StringComparer.Ordinal))
        {
            cases.Add(Path.GetFileName(directory));
        }

        return cases;
    }

    [Fact]
    public void The_suite_is_all_there()
    {
        var cases = Directory.GetDirectories(Root).Select(Path.GetFileName).ToList();
        Assert.Equal(24, cases.Count);
        Assert.Contains("get-vanilla", cases);
        Assert.Contains("post-x-www-form-urlencoded", cases);
        Assert.Contains("get-header-value-order", cases);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Signing_the_suites_request_gives_its_canonical_request_string_to_sign_and_authorization(string name)
    {
        var (method, path, query, headers, body) = ParseRequest(Read(name, "req"));
        var signer = new AwsSignatureV4(new AwsSigningKeys());

        // The published suite slips in its two form posts: their canonical request lists content-length while the string
        // to sign and Authorization of post-x-www-form-urlencoded were made without it, and the string to sign of
        // post-x-www-form-urlencoded-parameters hashes a canonical request that is not in the suite. So each file is
        // checked against the headers it lists itself, and that one string to sign only through its signature.
        var authorization = Read(name, "authz");
        var signedNames = authorization[(authorization.IndexOf("SignedHeaders=", StringComparison.Ordinal) + 14)..].Split(',')[0].Split(';');
        var creq = Read(name, "creq");
        var creqNames = creq.Split('\n')[^2].Split(';');
        var sts = Read(name, "sts");

        var forCreq = signer.Sign(method, path, query, [.. headers.Where(h => creqNames.Contains(h.Name.ToLowerInvariant()))], body, Example, "us-east-1", "service", SigningTime);
        Assert.Equal(creq, forCreq.CanonicalRequest);

        var key = AwsSignatureV4.DeriveKey(Example.SecretAccessKey, "20150830", "us-east-1", "service");
        Assert.EndsWith("Signature=" + AwsSignatureV4.Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(sts))), authorization, StringComparison.Ordinal);

        if (name != "post-x-www-form-urlencoded-parameters")
        {
            var signed = signer.Sign(method, path, query, [.. headers.Where(h => signedNames.Contains(h.Name.ToLowerInvariant()))], body, Example, "us-east-1", "service", SigningTime);
            Assert.Equal(sts, signed.StringToSign);
            Assert.Equal(authorization, signed.Authorization);
        }
    }

    [Fact]
    public void A_function_arn_in_the_path_is_signed_encoded_twice_as_AWS_services_other_than_S3_expect()
    {
        Assert.Equal("/2015-03-31/functions/arn%253Aaws%253Alambda%253Aus-east-1%253A123456789012%253Afunction%253Ahello/invocations",
            AwsSignatureV4.CanonicalUri("/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Ahello/invocations"));
    }

    [Fact]
    public void The_signing_key_is_derived_once_per_day_and_region()
    {
        var keys = new AwsSigningKeys();
        var signer = new AwsSignatureV4(keys);
        (string, string)[] headers = [("Host", "lambda.test"), ("X-Amz-Date", "x")];

        var first = signer.Sign("POST", "/", "", headers, "a"u8, Example, "us-east-1", "lambda", SigningTime);
        signer.Sign("POST", "/", "", headers, "b"u8, Example, "us-east-1", "lambda", SigningTime.AddHours(11));
        Assert.Equal(1, keys.Derived);

        signer.Sign("POST", "/", "", headers, "a"u8, Example, "eu-west-1", "lambda", SigningTime);
        Assert.Equal(2, keys.Derived);

        // The next day's key replaces the previous day's: the cache does not grow day after day.
        var nextDay = signer.Sign("POST", "/", "", headers, "a"u8, Example, "us-east-1", "lambda", SigningTime.AddDays(1));
        Assert.Equal(3, keys.Derived);
        Assert.Equal(1, keys.Count);
        Assert.NotEqual(first.Signature, nextDay.Signature);
    }

    [Fact]
    public void Credentials_never_show_their_secret_as_text()
    {
        var credentials = new AwsCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session-token");
        Assert.DoesNotContain("wJalr", credentials.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("session-token", credentials.ToString(), StringComparison.Ordinal);
    }

    private static string Read(string name, string extension) =>
        File.ReadAllText(Path.Combine(Root, name, $"{name}.{extension}"), Encoding.UTF8).ReplaceLineEndings("\n");

    /// <summary>A request of the suite: request line, headers (a line starting with a space continues the header above as a further value), blank line, body.</summary>
    private static (string Method, string Path, string Query, List<(string Name, string Value)> Headers, byte[] Body) ParseRequest(string text)
    {
        var blank = text.IndexOf("\n\n", StringComparison.Ordinal);
        var head = blank < 0 ? text : text[..blank];
        var body = blank < 0 ? "" : text[(blank + 2)..];
        var lines = head.Split('\n');
        var requestLine = lines[0];
        var method = requestLine[..requestLine.IndexOf(' ', StringComparison.Ordinal)];
        var target = requestLine[(method.Length + 1)..requestLine.LastIndexOf(' ')];
        var question = target.IndexOf('?', StringComparison.Ordinal);
        var headers = new List<(string Name, string Value)>();
        foreach (var line in lines.Skip(1))
        {
            if (line.StartsWith(' '))
            {
                headers.Add((headers[^1].Name, line));
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers.Add((line[..colon], line[(colon + 1)..]));
        }

        return (method, question < 0 ? target : target[..question], question < 0 ? "" : target[(question + 1)..], headers, Encoding.UTF8.GetBytes(body));
    }
}
