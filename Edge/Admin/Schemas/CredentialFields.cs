using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Admin.Schemas;

/// <summary>What every credential schema shares: id, timestamps, the consumer it belongs to (required) and tags.</summary>
internal static class CredentialFields
{
    public static (Guid Id, long CreatedAt, Guid ConsumerId, string[]? Tags) Read(FieldReader r)
    {
        var (id, createdAt) = CommonFields.Read(r);
        var consumerId = r.ForeignKey("consumer");
        if (consumerId is null && !r.Has("consumer"))
        {
            r.Error("consumer", "required field missing");
        }

        return (id ?? Guid.Empty, createdAt ?? 0, consumerId ?? Guid.Empty, r.Strings("tags", FieldRules.Tag));
    }

    /// <summary>The credential in Kong's shape: id, consumer, then its own <paramref name="fields"/>, then timestamps and tags.</summary>
    public static JsonObject Write(GatewayEntity credential, Guid consumerId, params (string Name, JsonNode? Value)[] fields)
    {
        var json = new JsonObject { ["id"] = credential.Id.ToString(), ["consumer"] = JsonFields.Reference(consumerId) };
        foreach (var (name, value) in fields)
        {
            json[name] = value;
        }

        JsonFields.WriteCommon(json, credential);
        return json;
    }

    /// <summary>A random key or secret, as Kong generates one when the client gives none (32 hex characters, 128 bits).</summary>
    public static string RandomToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
