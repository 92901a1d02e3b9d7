using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;

namespace X64Emu.GuestTests;

/// <summary>Runs a command with a fixed environment and captures its outcome.</summary>
public static class GuestProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr, bool TimedOut);

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    /// <summary>True when tests run as root: the native side then drops to nobody (as the seeds expect).</summary>
    public static bool IsRoot => Environment.UserName == "root" || GetUid() == 0;

    private static int GetUid()
    {
        try
        {
            foreach (string line in File.ReadAllLines("/proc/self/status"))
            {
                if (line.StartsWith("Uid:", StringComparison.Ordinal))
                {
                    return int.Parse(line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1]);
                }
            }
        }
        catch (IOException)
        {
        }

        return -1;
    }

    /// <summary>Wraps a command so it runs as nobody when we are root.</summary>
    public static List<string> AsNobody(IEnumerable<string> command)
    {
        List<string> c = new();
        if (IsRoot)
        {
            c.AddRange(new[] { "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups" });
        }

        c.AddRange(command);
        return c;
    }

    public static Result Run(IReadOnlyList<string> command, string workDir, IDictionary<string, string>? extraEnv = null)
    {
        ProcessStartInfo psi = new(command[0])
        {
            WorkingDirectory = workDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        for (int i = 1; i < command.Count; i++)
        {
            psi.ArgumentList.Add(command[i]);
        }

        psi.Environment.Clear();
        psi.Environment["PATH"] = "/usr/local/bin:/usr/bin:/bin";
        psi.Environment["HOME"] = "/tmp";
        psi.Environment["LANG"] = "C";
        psi.Environment["TERM"] = "dumb";
        foreach (string k in new[] { "DOTNET_ROOT", "DOTNET_CLI_HOME", "X64EMU_DEBUG" })
        {
            string? v = Environment.GetEnvironmentVariable(k);
            if (v != null)
            {
                psi.Environment[k] = v;
            }
        }

        if (extraEnv != null)
        {
            foreach ((string k, string v) in extraEnv)
            {
                psi.Environment[k] = v;
            }
        }

        using Process p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + command[0]);
        p.StandardInput.Close();
        Task<string> so = p.StandardOutput.ReadToEndAsync();
        Task<string> se = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(Timeout))
        {
            try
            {
                p.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }

            return new Result(-1, so.IsCompleted ? so.Result : string.Empty, se.IsCompleted ? se.Result : string.Empty, TimedOut: true);
        }

        p.WaitForExit();
        return new Result(p.ExitCode, so.Result, se.Result, TimedOut: false);
    }

    /// <summary>A fresh world-writable working directory (the native side may run as nobody).</summary>
    public static string NewWorkDir()
    {
        string d = Path.Combine(Path.GetTempPath(), "x64emu-guest-" + Guid.NewGuid().ToString("N").Substring(0, 12));
        Directory.CreateDirectory(d);
        File.SetUnixFileMode(d, (UnixFileMode)0x1FF);
        return d;
    }
}
