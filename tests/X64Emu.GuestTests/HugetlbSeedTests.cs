using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Xunit;
using Xunit.Abstractions;

namespace X64Emu.GuestTests;

/// <summary>
/// Source document 000: a failed MAP_FIXED hugetlb mmap over a hugetlb mapping. Linux unmaps the
/// first 2 MiB before the reservation fails; X64Emu's mmap is atomic (smaps unchanged), and
/// <c>--linux-quirks</c> reproduces Linux's bite exactly as the document shows it.
/// </summary>
public class HugetlbSeedTests
{
    private readonly ITestOutputHelper _out;

    public HugetlbSeedTests(ITestOutputHelper output)
    {
        _out = output;
    }

    [SkippableTheory]
    [InlineData("gcc")]
    [InlineData("musl")]
    public void FailedFixedHugetlbMmap_IsAtomic_AndQuirkModeTakesLinuxsBite(string libc)
    {
        GuestProgram? p = GuestProgram.All().SingleOrDefault(x => x.Name == "hugetlb_fixed_bite");
        Skip.If(p == null, "../shared/seed-programs is absent");
        GuestBuild.Ensure();
        string binary = p!.Binary(libc);

        (string before, string after, string stdout) = Run(binary, quirks: false);
        Assert.Equal("a=0x7c8000000000 errno 0 Success\nb=0xffffffffffffffff errno 12 Cannot allocate memory\n",
            stdout.Replace("No error information", "Success", StringComparison.Ordinal).Replace("Out of memory", "Cannot allocate memory", StringComparison.Ordinal));
        Assert.Contains("7c8000000000-7c8080000000 ---p 00000000 00:10 ", before, StringComparison.Ordinal);
        Assert.Equal(before, after);

        (before, after, _) = Run(binary, quirks: true);
        List<string> b = before.Split('\n').ToList();
        List<string> a = after.Split('\n').ToList();
        Assert.Equal(b.Count, a.Count);
        List<int> changed = Enumerable.Range(0, b.Count).Where(i => b[i] != a[i]).ToList();
        Assert.Equal(2, changed.Count);
        Assert.StartsWith("7c8000000000-7c8080000000 ---p 00000000 00:10 ", b[changed[0]], StringComparison.Ordinal);
        Assert.StartsWith("7c8000200000-7c8080000000 ---p 00200000 00:10 ", a[changed[0]], StringComparison.Ordinal);
        Assert.EndsWith("/anon_hugepage (deleted)", a[changed[0]], StringComparison.Ordinal);
        Assert.Equal("Size:            2097152 kB", b[changed[1]]);
        Assert.Equal("Size:            2095104 kB", a[changed[1]]);
    }

    private (string Before, string After, string Stdout) Run(string binary, bool quirks)
    {
        string work = GuestProcess.NewWorkDir();
        try
        {
            List<string> cmd = new(Repo.Emulator);
            if (quirks)
            {
                cmd.Add("--linux-quirks");
            }

            cmd.Add(binary);
            GuestProcess.Result r = GuestProcess.Run(GuestProcess.AsNobody(cmd), work);
            _out.WriteLine($"quirks={quirks}: exit {r.ExitCode}\n{r.Stdout}{r.Stderr}");
            Assert.Equal(0, r.ExitCode);
            return (File.ReadAllText(Path.Combine(work, "smaps1")), File.ReadAllText(Path.Combine(work, "smaps2")), r.Stdout);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
