using System;
using System.Diagnostics;
using System.IO;

namespace X64Emu.GuestTests;

/// <summary>Builds guest-programs/ once per test run (make is incremental).</summary>
public sealed class GuestBuild
{
    private static readonly Lazy<string?> s_error = new(BuildOnce);

    /// <summary>Null when the build succeeded, else make's output.</summary>
    public static string? Error => s_error.Value;

    private static string? BuildOnce()
    {
        ProcessStartInfo psi = new("make", $"-C \"{Repo.GuestPrograms}\" -j{Math.Max(2, Environment.ProcessorCount)} -s")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using Process p = Process.Start(psi)!;
        string o = p.StandardOutput.ReadToEnd();
        string e = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0 ? null : $"make -C guest-programs failed ({p.ExitCode}):\n{o}\n{e}";
    }

    public static void Ensure()
    {
        if (Error != null)
        {
            throw new InvalidOperationException(Error);
        }
    }

    public static bool Exists(string path) => File.Exists(path);
}
