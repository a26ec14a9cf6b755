using System.Net.NetworkInformation;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Portal.Data.Store;

/// <summary>
/// The one way the stores write SQL: an interpolated string whose holes become parameters (never text), as EF
/// Core's <c>SqlQuery</c> / <c>ExecuteSql</c> take them. This turns the same strings into Npgsql commands for
/// what EF cannot run: batches of statements in one round trip and the hot paths that read rows by hand.
/// </summary>
internal static class Sql
{
    public static NpgsqlBatchCommand BatchCommand(FormattableString sql)
    {
        var command = new NpgsqlBatchCommand(Bind(sql, out var parameters));
        command.Parameters.AddRange(parameters);
        return command;
    }

    public static NpgsqlCommand Command(NpgsqlConnection connection, FormattableString sql, NpgsqlTransaction? transaction = null)
    {
        var command = new NpgsqlCommand(Bind(sql, out var parameters), connection, transaction);
        command.Parameters.AddRange(parameters);
        return command;
    }

    public static NpgsqlCommand Command(NpgsqlDataSource dataSource, FormattableString sql)
    {
        var command = dataSource.CreateCommand(Bind(sql, out var parameters));
        command.Parameters.AddRange(parameters);
        return command;
    }

    /// <summary>A jsonb parameter (a plain string would be sent as text).</summary>
    public static NpgsqlParameter Jsonb(string json) => new() { Value = json, NpgsqlDbType = NpgsqlDbType.Jsonb };

    /// <summary>The connection of a context, for a batch that must run inside the context's transaction.</summary>
    public static NpgsqlConnection Connection(PortalDbContext db) => (NpgsqlConnection)db.Database.GetDbConnection();

    public static NpgsqlTransaction Transaction(IDbContextTransaction tx) => (NpgsqlTransaction)tx.GetDbTransaction();

    /// <summary>Escapes LIKE wildcards so a user's filter text matches literally (escape character: backslash).</summary>
    public static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");

    /// <summary>Turns the format's holes into $1, $2 … and their values into parameters.</summary>
    private static string Bind(FormattableString sql, out NpgsqlParameter[] parameters)
    {
        var format = sql.Format;
        var text = new StringBuilder(format.Length);
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if ((c == '{' || c == '}') && i + 1 < format.Length && format[i + 1] == c)
            {
                text.Append(c);
                i++;
            }
            else if (c == '{')
            {
                var end = format.IndexOf('}', i);
                var hole = format.AsSpan(i + 1, end - i - 1);
                var stop = hole.IndexOfAny(',', ':');
                text.Append('$').Append(int.Parse(stop < 0 ? hole : hole[..stop]) + 1);
                i = end;
            }
            else
            {
                text.Append(c);
            }
        }
        parameters = sql.GetArguments().Select(Parameter).ToArray();
        return text.ToString();
    }

    private static NpgsqlParameter Parameter(object? value) => value switch
    {
        NpgsqlParameter given => given,
        PhysicalAddress mac => new NpgsqlParameter { Value = mac, NpgsqlDbType = NpgsqlDbType.MacAddr },
        null => new NpgsqlParameter { Value = DBNull.Value },
        _ => new NpgsqlParameter { Value = value },
    };
}
