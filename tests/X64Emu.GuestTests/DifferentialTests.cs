using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Xunit;
using Xunit.Abstractions;

namespace X64Emu.GuestTests;

/// <summary>
/// Every guest program × libc runs natively and under X64Emu; exit status and stdout must match after
/// masking hex addresses (Blink's and gVisor's differential method). Where X64Emu deliberately differs,
/// the program names an expectation file instead.
/// </summary>
public class DifferentialTests
{
    private readonly ITestOutputHelper _out;

    public DifferentialTests(ITestOutputHelper output)
    {
        _out = output;
    }

    public static IEnumerable<object[]> Cases()
    {
        foreach (GuestProgram p in GuestProgram.All().OrderBy(p => p.ToString(), StringComparer.Ordinal))
        {
            // The interpreter is the reference; the compiled tier runs every program too, once with
            // every block compiled before it runs (eager) and once as users run it (hot blocks
            // compiled in the background while the interpreter goes on).
            yield return new object[] { p.ToString(), "gcc", "off" };
            yield return new object[] { p.ToString(), "gcc", "eager" };
            yield return new object[] { p.ToString(), "musl", "on" };
            yield return new object[] { p.ToString(), "musl", "eager" };
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Program_NativeAndEmulated_Agree(string program, string libc, string jit)
    {
        GuestProgram p = GuestProgram.All().Single(x => x.ToString() == program);
        Skip.If(p.Skip != null, p.Skip);
        GuestBuild.Ensure();
        string binary = p.Binary(libc);
        Assert.True(File.Exists(binary), $"{binary} was not built");

        string work = GuestProcess.NewWorkDir();
        try
        {
            List<string> emuCmd = new(Repo.Emulator) { $"--jit={jit}" };
            emuCmd.AddRange(p.EmuArgs);
            List<string> args = jit == "eager" && p.EagerArgs != null ? p.EagerArgs : p.Args;
            emuCmd.Add(binary);
            emuCmd.AddRange(args);
            GuestProcess.Result emu = GuestProcess.Run(GuestProcess.AsNobody(emuCmd), work);
            _out.WriteLine($"emulated: exit {emu.ExitCode}\n--- stdout\n{emu.Stdout}--- stderr\n{emu.Stderr}");
            Assert.False(emu.TimedOut, $"{program} ({libc}) timed out under the emulator");
            Assert.DoesNotContain("internal error", emu.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("unimplemented syscall", emu.Stderr, StringComparison.Ordinal);

            if (p.Expect != null)
            {
                string expected = File.ReadAllText(Path.Combine(Path.GetDirectoryName(p.Source)!, p.Expect));
                Assert.Equal(p.Normalize(expected), p.Normalize($"exit {emu.ExitCode}\n{emu.Stdout}"));
                return;
            }

            List<string> natCmd = new() { binary };
            natCmd.AddRange(args);
            GuestProcess.Result nat;
            int attempt = 0;
            while (true)
            {
                string natWork = GuestProcess.NewWorkDir();
                using (HostHugePool.Set(p.HugePageSize, p.HugePages))
                {
                    nat = GuestProcess.Run(GuestProcess.AsNobody(natCmd), natWork);
                }

                Directory.Delete(natWork, recursive: true);
                _out.WriteLine($"native: exit {nat.ExitCode}\n--- stdout\n{nat.Stdout}--- stderr\n{nat.Stderr}");
                bool same = nat.ExitCode == emu.ExitCode && p.Normalize(nat.Stdout) == p.Normalize(emu.Stdout);
                if (same || attempt++ >= p.NativeRetries || nat.TimedOut)
                {
                    break;
                }

                _out.WriteLine($"native output differs: run {attempt + 1} of at most {p.NativeRetries + 1} (x64emu-native-retries)");
            }

            Assert.False(nat.TimedOut, $"{program} ({libc}) timed out natively");
            Assert.Equal(nat.ExitCode, emu.ExitCode);
            Assert.Equal(p.Normalize(nat.Stdout), p.Normalize(emu.Stdout));
            if (p.CompareStderr)
            {
                Assert.Equal(p.Normalize(nat.Stderr), p.Normalize(emu.Stderr));
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [SkippableFact]
    public void SeedPrograms_ArePresent()
    {
        Skip.If(Repo.SeedDir == null, "../shared/seed-programs is absent: the seed programs cannot be tested here");
        Assert.NotEmpty(Directory.GetFiles(Repo.SeedDir!, "*.c"));
    }
}
