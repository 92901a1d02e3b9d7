using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Xunit;

namespace X64Emu.GuestTests;

/// <summary>Bad input to the x64emu command: one line on stderr, a shell-like status, never a .NET stack trace.</summary>
public class CliTests
{
    private static GuestProcess.Result Emu(params string[] args)
    {
        List<string> cmd = new(Repo.Emulator);
        cmd.AddRange(args);
        return GuestProcess.Run(cmd, Path.GetTempPath());
    }

    private static void AssertOneLineError(GuestProcess.Result r, int status, string contains)
    {
        Assert.Equal(status, r.ExitCode);
        string[] lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("x64emu: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(contains, lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.Stderr, StringComparison.Ordinal);
    }

    private static string TempFile(byte[] content)
    {
        string f = Path.Combine(Path.GetTempPath(), "x64emu-cli-" + Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(f, content);
        File.SetUnixFileMode(f, (UnixFileMode)0x1ED); // 0755
        return f;
    }

    private static byte[] ValidElf()
    {
        GuestBuild.Ensure();
        return File.ReadAllBytes(Path.Combine(Repo.Build, "gcc", "basic", "hello"));
    }

    [Fact]
    public void Run_MissingFile_Exits127()
    {
        AssertOneLineError(Emu("/nonexistent/program"), 127, "No such file or directory");
    }

    [Fact]
    public void Run_NotElf_Exits126()
    {
        string f = TempFile(System.Text.Encoding.ASCII.GetBytes("hello, this is text\n"));
        AssertOneLineError(Emu(f), 126, "not an ELF file");
    }

    [Fact]
    public void Run_TruncatedElf_Exits126()
    {
        byte[] elf = ValidElf();
        foreach (int n in new[] { 10, 63, 200, elf.Length / 2 })
        {
            string f = TempFile(elf.Take(n).ToArray());
            AssertOneLineError(Emu(f), 126, "ELF");
        }
    }

    [Fact]
    public void Run_32BitElf_Exits126()
    {
        byte[] elf = ValidElf();
        elf[4] = 1; // ELFCLASS32
        AssertOneLineError(Emu(TempFile(elf)), 126, "32-bit");
    }

    [Fact]
    public void Run_OtherMachine_Exits126()
    {
        byte[] elf = ValidElf();
        elf[18] = 183; // EM_AARCH64
        elf[19] = 0;
        AssertOneLineError(Emu(TempFile(elf)), 126, "AArch64");
    }

    [Fact]
    public void Run_Directory_Exits126()
    {
        AssertOneLineError(Emu(Path.GetTempPath()), 126, "directory");
    }

    [Fact]
    public void Run_UnknownOption_Exits2()
    {
        GuestProcess.Result r = Emu("--no-such-option", "/bin/true");
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("x64emu: unknown option", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_Help_Exits0AndListsOptions()
    {
        GuestProcess.Result r = Emu("--help");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("--strace", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("--mem", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Strace_PrintsStraceFormat()
    {
        GuestBuild.Ensure();
        GuestProcess.Result r = Emu("--strace", Path.Combine(Repo.Build, "gcc", "asm", "exit_write"));
        Assert.Equal(7, r.ExitCode);
        Assert.Contains("write(1, \"raw syscalls work\\n\", 18) = 18", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("exit_group(7) = ?", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("+++ exited with 7 +++", r.Stderr, StringComparison.Ordinal);
    }
}
