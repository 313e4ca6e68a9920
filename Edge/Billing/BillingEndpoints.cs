using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Turnpike.Edge.Admin;
using Turnpike.Edge.RouteTable;
using Turnpike.Edge.Schema;
using Turnpike.Metering;
using Turnpike.Regions;

namespace Turnpike.Edge.Billing;

/// <summary>
/// <c>/billing/usage</c> (JSON), <c>/billing/export</c> (CSV or JSON lines, streamed a period at a time) and
/// <c>/billing/prices</c>. Reads the meter grains of every region (<see cref="RegionUsage"/>); names of consumers and
/// services come from the edge's table, which every region shares.
/// </summary>
internal sealed partial class BillingEndpoints(RegionUsage regions, RouteTableClient table, RouteTableStore store, IGrainFactory grains, ILogger<BillingEndpoints> logger)
{
    private static readonly string[] JsonFormat = ["json"];
    private static readonly string[] ExportFormats = ["csv", "jsonl"];

    private IBillingPricesGrain Prices => grains.GetGrain<IBillingPricesGrain>(IBillingPricesGrain.DefaultKey);

    public async Task UsageAsync(HttpContext context)
    {
        if (await OpenReportAsync(context, JsonFormat) is not { } opened)
        {
            return;
        }

        await using var report = opened.Report;
        var (q, _, names, prices) = opened;
        var data = new JsonArray();
        var total = new MeterCounters();
        try
        {
            await foreach (var rows in report.ReadAsync(q.ByRegion))
            {
                foreach (var row in rows)
                {
                    data.Add(UsageColumns.Json(row, Username(row.ConsumerId), names.GetValueOrDefault(row.ServiceId), PriceOf(prices, row.ConsumerId)));
                    total.Add(row.Counters);
                }
            }
        }
        catch (RegionUnreachableException ex)
        {
            // Nothing is written yet: the whole answer is refused rather than short.
            LogRegionBroke(logger, ex.Region, ex.Reason);
            await AdminJson.MessageAsync(context, StatusCodes.Status503ServiceUnavailable, Unreachable([new MissingRegion(ex.Region, ex.Reason)]));
            return;
        }

        var totals = new JsonObject();
        foreach (var (name, value) in UsageColumns.Counters(total))
        {
            totals[name] = value;
        }

        await AdminJson.WriteAsync(context, StatusCodes.Status200OK, new JsonObject
        {
            ["from"] = q.From,
            ["to"] = q.To,
            ["granularity"] = q.Granularity.ToString().ToLowerInvariant(),
            ["data"] = data,
            ["total"] = totals,
            ["regions"] = new JsonArray([.. report.Regions.Select(r => (JsonNode?)r)]),
            ["missing_regions"] = new JsonArray([.. report.Missing.Select(m => (JsonNode?)new JsonObject { ["region"] = m.Region, ["reason"] = m.Reason })]),
        });
    }

    public async Task ExportAsync(HttpContext context)
    {
        if (await OpenReportAsync(context, ExportFormats) is not { } opened)
        {
            return;
        }

        await using var report = opened.Report;
        var (q, _, names, prices) = opened;
        var csv = q.Format == "csv";
        var response = context.Response;
        response.ContentType = csv ? "text/csv; charset=utf-8; header=present" : "application/jsonl; charset=utf-8";
        response.Headers.ContentDisposition = $"attachment; filename=\"usage-{q.From}-{q.To}.{q.Format}\"";
        await using var writer = new StreamWriter(response.Body, new UTF8Encoding(false), 64 * 1024);
        if (csv)
        {
            await writer.WriteAsync(UsageColumns.CsvRecord(q.ByRegion ? UsageColumns.CsvByRegion : UsageColumns.Csv));
        }

        try
        {
            await foreach (var rows in report.ReadAsync(q.ByRegion))
            {
                foreach (var row in rows)
                {
                    var username = Username(row.ConsumerId);
                    var service = names.GetValueOrDefault(row.ServiceId);
                    var price = PriceOf(prices, row.ConsumerId);
                    await writer.WriteAsync(csv ? UsageColumns.CsvLine(row, username, service, price) : UsageColumns.Json(row, username, service, price).ToJsonString() + "\n");
                }

                await writer.FlushAsync(context.RequestAborted);
            }
        }
        catch (RegionUnreachableException ex)
        {
            // The status went out with the first period: the only honest end left is to break the response, so the
            // client sees a failed download (no chunked terminator) rather than a short file it could take as whole.
            LogRegionBroke(logger, ex.Region, ex.Reason);
            context.Abort();
        }
    }

    /// <summary>
    /// What the usage answer and the export both start with: the query checked, every region's usage opened, the
    /// service names and the prices; null once an error was written. The caller disposes the report.
    /// </summary>
    private async Task<(BillingQuery Query, UsageReport Report, Dictionary<Guid, string?> Names, Dictionary<Guid, BillingPrice> Prices)?> OpenReportAsync(HttpContext context, string[] formats)
    {
        if (await ReadQueryAsync(context, formats) is not { } read)
        {
            return null;
        }

        var (query, consumerId, serviceId) = read;
        if (await OpenAsync(context, query, consumerId, serviceId) is not { } report)
        {
            return null;
        }

        try
        {
            return (query, report, await ServiceNamesAsync(), await Prices.All());
        }
        catch
        {
            await report.DisposeAsync(); // not yet the caller's to dispose
            throw;
        }
    }

    /// <summary>
    /// Opens every region's usage; when one cannot be reached writes 503 naming it (null), unless the query says
    /// <c>partial=true</c>: then the answer names the missing regions in <see cref="MissingRegionsHeader"/>.
    /// </summary>
    private async Task<UsageReport?> OpenAsync(HttpContext context, BillingQuery query, Guid? consumerId, Guid? serviceId)
    {
        var report = await regions.OpenAsync(query, consumerId, serviceId, context.RequestAborted);
        foreach (var missing in report.Missing)
        {
            LogRegionMissing(logger, missing.Region, missing.Reason, query.Partial);
        }

        if (report.Missing.Length > 0 && !query.Partial)
        {
            await report.DisposeAsync();
            await AdminJson.MessageAsync(context, StatusCodes.Status503ServiceUnavailable, Unreachable(report.Missing));
            return null;
        }

        context.Response.Headers[RegionsHeader] = string.Join(", ", report.Regions);
        if (report.Missing.Length > 0)
        {
            context.Response.Headers[MissingRegionsHeader] = string.Join(", ", report.Missing.Select(m => m.Region));
        }

        return report;
    }

    /// <summary>The regions a report covers (names only: they are checked region names).</summary>
    public const string RegionsHeader = "X-Turnpike-Billing-Regions";

    /// <summary>With <c>partial=true</c>: the regions a report lacks because they could not be reached.</summary>
    public const string MissingRegionsHeader = "X-Turnpike-Billing-Missing-Regions";

    private static string Unreachable(MissingRegion[] missing) =>
        (missing.Length == 1 ? $"region '{missing[0].Region}' is unreachable ({missing[0].Reason})" : $"regions {string.Join(", ", missing.Select(m => $"'{m.Region}' ({m.Reason})"))} are unreachable")
        + ": the report would miss their usage. Ask again later, or add partial=true for the regions that answer.";

    [LoggerMessage(EventId = 5012, Level = LogLevel.Warning, Message = "Usage report: region {Region} is unreachable ({Reason}); partial={Partial}")]
    private static partial void LogRegionMissing(ILogger logger, string region, string reason, bool partial);

    [LoggerMessage(EventId = 5013, Level = LogLevel.Error, Message = "Usage report: region {Region} broke off while its usage was read ({Reason}); the report was not completed")]
    private static partial void LogRegionBroke(ILogger logger, string region, string reason);

    public async Task ListPricesAsync(HttpContext context)
    {
        var data = new JsonArray();
        foreach (var (consumerId, price) in (await Prices.All()).OrderBy(p => p.Key))
        {
            data.Add(PriceJson(consumerId, price));
        }

        await AdminJson.WriteAsync(context, StatusCodes.Status200OK, new JsonObject { ["data"] = data, ["next"] = null });
    }

    /// <summary>PUT <c>/billing/prices/{consumer|default}</c>: <c>{"per_1000_requests": 2.5, "per_counter": {"bytes_out": 0.000001}, "currency": "EUR"}</c>.</summary>
    public async Task PutPriceAsync(HttpContext context)
    {
        if (await ConsumerKeyAsync(context) is not { } consumerId)
        {
            return;
        }

        var (body, bodyError) = await AdminRequestBody.ReadAsync(context.Request);
        if (body is null)
        {
            await AdminJson.MessageAsync(context, StatusCodes.Status400BadRequest, bodyError!);
            return;
        }

        var errors = new FieldErrors();
        if (BillingPriceSchema.Read(body.Json, errors) is not { } price)
        {
            await AdminJson.ErrorAsync(context, errors.ToSchemaViolation());
            return;
        }

        await Prices.Set(consumerId, price);
        await AdminJson.WriteAsync(context, StatusCodes.Status200OK, PriceJson(consumerId, price));
    }

    public async Task DeletePriceAsync(HttpContext context)
    {
        if (await ConsumerKeyAsync(context) is { } consumerId)
        {
            await Prices.Set(consumerId, null);
            context.Response.StatusCode = StatusCodes.Status204NoContent;
        }
    }

    private static BillingPrice? PriceOf(Dictionary<Guid, BillingPrice> prices, Guid consumerId) =>
        prices.GetValueOrDefault(consumerId) ?? prices.GetValueOrDefault(Guid.Empty);

    private static JsonObject PriceJson(Guid consumerId, BillingPrice price) => new()
    {
        ["consumer"] = consumerId == Guid.Empty ? null : new JsonObject { ["id"] = consumerId.ToString() },
        ["per_1000_requests"] = price.Per1000Requests,
        ["per_counter"] = new JsonObject([.. price.PerCounter.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))]),
        ["currency"] = price.Currency,
    };

    /// <summary>The query checked, with the consumer and service filters resolved to ids; null once a 400 was written.</summary>
    private async Task<(BillingQuery Query, Guid? Consumer, Guid? Service)?> ReadQueryAsync(HttpContext context, string[] formats)
    {
        var query = BillingQuery.Parse(context.Request.Query, formats, out var problem);
        Guid? consumerId = null;
        Guid? serviceId = null;
        if (query?.Consumer is { } consumer)
        {
            consumerId = consumer == "anonymous" ? Guid.Empty : await IdOfAsync(EntityKind.Consumer, consumer);
            problem ??= consumerId is null ? $"consumer: no consumer with id or username '{consumer}'" : null;
        }

        if (query?.Service is { } service)
        {
            serviceId = await IdOfAsync(EntityKind.Service, service);
            problem ??= serviceId is null ? $"service: no service with id or name '{service}'" : null;
        }

        if (problem is not null)
        {
            await AdminJson.MessageAsync(context, StatusCodes.Status400BadRequest, problem);
            return null;
        }

        return (query!, consumerId, serviceId);
    }

    /// <summary>The consumer a price path names (<c>default</c>: everyone without their own); null once a 404 was written.</summary>
    private async Task<Guid?> ConsumerKeyAsync(HttpContext context)
    {
        var key = context.Request.RouteValues["consumer"]?.ToString() ?? "";
        if (key == "default")
        {
            return Guid.Empty;
        }

        if (await IdOfAsync(EntityKind.Consumer, key) is { } id)
        {
            return id;
        }

        await AdminJson.NotFoundAsync(context);
        return null;
    }

    /// <summary>A dashed UUID is taken as it is (meters outlive deleted entities); a name is looked up.</summary>
    private async Task<Guid?> IdOfAsync(EntityKind kind, string idOrName) =>
        EntityIds.TryParse(idOrName, out var id) ? id : (await table.Find(kind, idOrName))?.Id;

    private string? Username(Guid consumerId) => store.Current.Consumers.Consumer(consumerId)?.Username;

    private async Task<Dictionary<Guid, string?>> ServiceNamesAsync()
    {
        var names = new Dictionary<Guid, string?>();
        await foreach (var service in table.ListAll(new EntityQuery { Kind = EntityKind.Service, Size = 1000 }))
        {
            names[service.Id] = ((ServiceEntity)service).Name;
        }

        return names;
    }
}
