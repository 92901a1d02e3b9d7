using System;
using System.Collections.Generic;
using System.Text;
using X64Emu.Cpu;
using X64Emu.Linux.Host;
using X64Emu.Linux.Signals;
using X64Emu.Linux.Syscalls;
using X64Emu.Linux.Tasks;
using X64Emu.Linux.Vfs;
using X64Emu.Memory;
using X64Emu.Memory.Objects;

namespace X64Emu.Linux.Elf;

/// <summary>
/// execve: loads a static, static-pie or dynamically linked (PT_INTERP) ELF executable or a #! script
/// into a fresh address space, builds the initial stack and registers, and replaces the process image
/// (fs/binfmt_elf.c load_elf_binary, fs/binfmt_script.c).
/// </summary>
public static unsafe partial class Exec
{
    /// <summary>STACK_TOP without randomisation: the highest page boundary of the user address space.</summary>
    public const ulong StackTop = PageSizes.TaskSize;

    /// <summary>ELF_ET_DYN_BASE: where an ET_DYN with an interpreter (a PIE) is placed (2/3 of the 47-bit space).</summary>
    public const ulong EtDynBase = 0x5555_5555_4000UL;

    /// <summary>Initial stack VMA expansion beyond the arguments (setup_arg_pages' stack_expand).</summary>
    private const ulong StackExpand = 128 * 1024;

    [ThreadStatic]
    private static string? t_lastError;

    /// <summary>A one-line reason for the last failure on this thread (for the CLI), or null.</summary>
    public static string? LastError => t_lastError;

    /// <summary>Loads <paramref name="path"/> into thread <paramref name="t"/>'s process; 0 or -errno.</summary>
    public static long Load(Kernel k, GuestThread t, string path, IReadOnlyList<string> argv, IReadOnlyList<string> envp)
    {
        t_lastError = null;
        return LoadDepth(k, t, path, argv, envp, 0);
    }

    private static long Fail(long errno, string message)
    {
        t_lastError = message;
        return errno;
    }

    private static long LoadDepth(Kernel k, GuestThread t, string path, IReadOnlyList<string> argv, IReadOnlyList<string> envp, int depth)
    {
        GuestProcess p = t.Process;
        long r = VfsOps.Open(k, p, LibC.AtFdCwd, path, OpenFlags.RdOnly | OpenFlags.CloExec, 0, out FileDescription? file);
        if (r < 0)
        {
            return Fail(r, Errno.Message(-r));
        }

        using FileHandle fh = new(file!);
        if (file is not HostFile hf || !hf.IsRegular)
        {
            return Fail(-Errno.EACCES, file!.IsDirectory ? "Is a directory" : "Permission denied (not a regular file)");
        }

        if (!VfsOps.CanExecute(k, p, path))
        {
            return Fail(-Errno.EACCES, "Permission denied");
        }

        byte[] data = ReadAll(hf, out long err);
        if (err < 0)
        {
            return Fail(err, Errno.Message(-err));
        }

        if (data.Length >= 2 && data[0] == '#' && data[1] == '!')
        {
            return LoadScript(k, t, path, data, argv, envp, depth);
        }

        ElfFile? elf = ElfFile.Parse(data, out ElfError eerr, out string msg);
        if (elf == null)
        {
            return Fail(-Errno.ENOEXEC, msg);
        }

        ElfFile? interp = null;
        HostFile? interpFile = null;
        FileHandle? interpHandle = null;
        try
        {
            if (elf.Interpreter != null)
            {
                r = VfsOps.Open(k, p, LibC.AtFdCwd, elf.Interpreter, OpenFlags.RdOnly | OpenFlags.CloExec, 0, out FileDescription? ifile);
                if (r < 0)
                {
                    return Fail(r == -Errno.ENOENT ? -Errno.ENOENT : r, $"cannot open the ELF interpreter {elf.Interpreter}: {Errno.Message(-r)}");
                }

                interpHandle = new FileHandle(ifile!);
                interpFile = ifile as HostFile;
                if (interpFile == null || !interpFile.IsRegular)
                {
                    return Fail(-Errno.EACCES, $"the ELF interpreter {elf.Interpreter} is not a regular file");
                }

                byte[] idata = ReadAll(interpFile, out err);
                if (err < 0)
                {
                    return Fail(err, Errno.Message(-err));
                }

                interp = ElfFile.Parse(idata, out _, out string imsg);
                if (interp == null || !interp.IsDyn)
                {
                    return Fail(-Errno.ENOEXEC, $"bad ELF interpreter {elf.Interpreter}: {(interp == null ? imsg : "not ET_DYN")}");
                }
            }

            return LoadElf(k, t, path, hf, elf, interpFile, interp, argv, envp);
        }
        finally
        {
            interpHandle?.Dispose();
        }
    }

    private static long LoadScript(Kernel k, GuestThread t, string path, byte[] data, IReadOnlyList<string> argv, IReadOnlyList<string> envp, int depth)
    {
        if (depth >= 4)
        {
            return Fail(-Errno.ELOOP, "too many levels of #! interpreters");
        }

        int end = Array.IndexOf(data, (byte)'\n');
        if (end < 0)
        {
            end = Math.Min(data.Length, 256);
        }

        string line = Encoding.UTF8.GetString(data, 2, Math.Min(end, 256) - 2).Trim();
        if (line.Length == 0)
        {
            return Fail(-Errno.ENOEXEC, "empty #! line");
        }

        int sp = line.IndexOfAny(new[] { ' ', '\t' });
        string interpreter = sp < 0 ? line : line.Substring(0, sp);
        string? arg = sp < 0 ? null : line.Substring(sp + 1).Trim();
        List<string> newArgv = new() { interpreter };
        if (!string.IsNullOrEmpty(arg))
        {
            newArgv.Add(arg);
        }

        newArgv.Add(path);
        for (int i = 1; i < argv.Count; i++)
        {
            newArgv.Add(argv[i]);
        }

        return LoadDepth(k, t, interpreter, newArgv, envp, depth + 1);
    }

    private static byte[] ReadAll(HostFile f, out long err)
    {
        err = 0;
        Span<byte> st = stackalloc byte[StatBuf.Size];
        f.Stat(st);
        long size = StatBuf.FileSize(st);
        if (size > 1L << 30)
        {
            err = -Errno.EFBIG;
            return Array.Empty<byte>();
        }

        byte[] data = new byte[size];
        long done = 0;
        while (done < size)
        {
            long n = f.PRead(null!, data.AsSpan((int)done), done);
            if (n <= 0)
            {
                err = n < 0 ? n : 0;
                Array.Resize(ref data, (int)done);
                break;
            }

            done += n;
        }

        return data;
    }

    private sealed class FileHandle : IDisposable
    {
        private FileDescription? _f;

        public FileHandle(FileDescription f) => _f = f;

        public void Dispose()
        {
            _f?.Release();
            _f = null;
        }
    }
}
