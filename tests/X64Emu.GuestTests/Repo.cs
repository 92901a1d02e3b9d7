using System;
using System.IO;

namespace X64Emu.GuestTests;

/// <summary>Where things are: the repository, the built guest programs, the emulator, ../shared.</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string GuestPrograms => Path.Combine(Root, "guest-programs");

    public static string Build => Path.Combine(GuestPrograms, "build");

    /// <summary>../shared/seed-programs beside the repository (or null when absent).</summary>
    public static string? SeedDir
    {
        get
        {
            string d = Path.GetFullPath(Path.Combine(Root, "..", "shared", "seed-programs"));
            return Directory.Exists(d) ? d : null;
        }
    }

    private static string FindRoot()
    {
        string? d = AppContext.BaseDirectory;
        while (d != null && !File.Exists(Path.Combine(d, "X64Emu.sln")))
        {
            d = Path.GetDirectoryName(d);
        }

        return d ?? throw new InvalidOperationException("cannot find the repository root (X64Emu.sln) above " + AppContext.BaseDirectory);
    }

    /// <summary>
    /// The command that runs the emulator: X64EMU_RUNNER if set (e.g. "qemu-x86_64" to validate the
    /// harness), else the x64emu built next to this test assembly.
    /// </summary>
    public static string[] Emulator
    {
        get
        {
            string? runner = Environment.GetEnvironmentVariable("X64EMU_RUNNER");
            if (!string.IsNullOrWhiteSpace(runner))
            {
                return runner.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            }

            string apphost = Path.Combine(AppContext.BaseDirectory, "x64emu");
            if (File.Exists(apphost))
            {
                return new[] { apphost };
            }

            return new[] { "dotnet", Path.Combine(AppContext.BaseDirectory, "x64emu.dll") };
        }
    }
}
