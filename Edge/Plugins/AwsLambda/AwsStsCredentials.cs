using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Xml;

namespace Turnpike.Edge.Plugins.AwsLambda;

/// <summary>
/// Temporary credentials from STS <c>AssumeRole</c>, signed with the base credentials, and kept until five minutes
/// before they expire: one STS call per role per hour or so, never one per request. Concurrent requests for the same
/// role share one call; a failed call is not kept, so the next request tries again.
/// </summary>
internal sealed class AwsStsCredentials(AwsSignatureV4 signer, TimeProvider time)
{
    public static readonly TimeSpan RefreshBefore = TimeSpan.FromMinutes(5);
    private const int MaxRoles = 1024;
    private const int MaxResponseBytes = 64 * 1024;

    private readonly ConcurrentDictionary<(string BaseKey, string Role, string Session, string Endpoint), Lazy<Task<AwsCredentials>>> _assumed = new();

    public async Task<AwsCredentials> AssumeAsync(
        AwsCredentials baseCredentials, string roleArn, string sessionName, Uri endpoint, string region, HttpMessageInvoker client, CancellationToken cancellationToken)
    {
        var key = (baseCredentials.AccessKeyId, roleArn, sessionName, endpoint.AbsoluteUri);
        while (true)
        {
            var entry = _assumed.GetOrAdd(key, _ => new Lazy<Task<AwsCredentials>>(() => CallAsync(baseCredentials, roleArn, sessionName, endpoint, region, client)));
            AwsCredentials credentials;
            try
            {
                credentials = await entry.Value.WaitAsync(cancellationToken);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                _assumed.TryRemove(KeyValuePair.Create(key, entry));
                throw;
            }

            if (credentials.Expiration is not { } expires || expires - RefreshBefore > time.GetUtcNow())
            {
                if (_assumed.Count > MaxRoles)
                {
                    _assumed.Clear();
                }

                return credentials;
            }

            _assumed.TryRemove(KeyValuePair.Create(key, entry)); // about to expire: the next turn asks STS again
        }
    }

    private async Task<AwsCredentials> CallAsync(AwsCredentials baseCredentials, string roleArn, string sessionName, Uri endpoint, string region, HttpMessageInvoker client)
    {
        var body = Encoding.UTF8.GetBytes(
            $"Action=AssumeRole&RoleArn={Uri.EscapeDataString(roleArn)}&RoleSessionName={Uri.EscapeDataString(sessionName)}&Version=2011-06-15");
        const string contentType = "application/x-www-form-urlencoded; charset=utf-8";
        var now = time.GetUtcNow();
        var host = endpoint.IsDefaultPort ? endpoint.Host : endpoint.Authority;
        List<(string, string)> signed = [("Host", host), ("Content-Type", contentType), ("X-Amz-Date", AwsSignatureV4.AmzDate(now))];
        if (baseCredentials.SessionToken is { } token)
        {
            signed.Add(("X-Amz-Security-Token", token));
        }

        var path = endpoint.AbsolutePath;
        var signature = signer.Sign("POST", path, "", signed, body, baseCredentials, region, "sts", now);
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        foreach (var (name, value) in signed)
        {
            if (name is not ("Host" or "Content-Type"))
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        request.Headers.Host = host;
        request.Headers.TryAddWithoutValidation("Authorization", signature.Authorization);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var response = await client.SendAsync(request, timeout.Token);
        var text = await AwsResponses.ReadTextAsync(response, MaxResponseBytes, timeout.Token);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new AwsCallException($"STS AssumeRole of {roleArn} answered {(int)response.StatusCode}: {AwsResponses.ErrorOf(text)}");
        }

        return Parse(text) ?? throw new AwsCallException($"STS AssumeRole of {roleArn} answered without credentials");
    }

    /// <summary>The <c>Credentials</c> of an <c>AssumeRoleResponse</c>; null when any part is missing.</summary>
    internal static AwsCredentials? Parse(string xml)
    {
        string? key = null, secret = null, token = null, expiration = null;
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            reader.Read();
            while (!reader.EOF)
            {
                // Reading an element's content moves to the node after it, which may be the next element wanted.
                if (reader.NodeType == XmlNodeType.Element && reader.LocalName is "AccessKeyId" or "SecretAccessKey" or "SessionToken" or "Expiration")
                {
                    var name = reader.LocalName;
                    var value = reader.ReadElementContentAsString();
                    switch (name)
                    {
                        case "AccessKeyId": key = value; break;
                        case "SecretAccessKey": secret = value; break;
                        case "SessionToken": token = value; break;
                        default: expiration = value; break;
                    }
                }
                else
                {
                    reader.Read();
                }
            }
        }
        catch (XmlException)
        {
            return null;
        }

        if (key is null || secret is null || token is null
            || !DateTimeOffset.TryParse(expiration, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expires))
        {
            return null;
        }

        return new AwsCredentials(key.Trim(), secret.Trim(), token.Trim(), expires);
    }
}
