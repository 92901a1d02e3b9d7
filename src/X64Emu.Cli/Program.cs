using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using X64Emu.Linux;
using X64Emu.Linux.Syscalls;

namespace X64Emu.Cli;

/// <summary>The x64emu command: parses options, runs the guest, maps its fate to an exit status.</summary>
public static class Program
{
    /// <summary>EX_USAGE: bad command line.</summary>
    private const int ExitUsage = 2;

    /// <summary>A shell's "command not found".</summary>
    private const int ExitNotFound = 127;

    /// <summary>A shell's "cannot execute".</summary>
    private const int ExitCannotExecute = 126;

    /// <summary>EX_SOFTWARE: an internal error of the emulator.</summary>
    private const int ExitInternal = 70;

    public static int Main(string[] args)
    {
        CliOptions? cli;
        try
        {
            cli = CliOptions.Parse(args, out string? error);
            if (cli == null)
            {
                if (error != null)
                {
                    Console.Error.WriteLine($"x64emu: {error}");
                    Console.Error.WriteLine("Try 'x64emu --help' for more information.");
                    return ExitUsage;
                }

                return 0; // --help / --version
            }
        }
        catch (FormatException e)
        {
            Console.Error.WriteLine($"x64emu: {e.Message}");
            return ExitUsage;
        }

        try
        {
            return Run(cli);
        }
        catch (ExecFailedException e)
        {
            Console.Error.WriteLine($"x64emu: {e.Path}: {e.Reason}");
            return e.Errno == -Errno.ENOENT ? ExitNotFound : ExitCannotExecute;
        }
        catch (OutOfMemoryException e)
        {
            Console.Error.WriteLine($"x64emu: cannot allocate the emulated machine: {e.Message}");
            return ExitInternal;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"x64emu: internal error (a bug in X64Emu, please report it): {e.GetType().Name}: {e.Message}");
            if (Environment.GetEnvironmentVariable("X64EMU_DEBUG") != null)
            {
                Console.Error.WriteLine(e);
            }
            else
            {
                Console.Error.WriteLine("x64emu: set X64EMU_DEBUG=1 for the .NET stack trace");
            }

            return ExitInternal;
        }
    }

    private static int Run(CliOptions cli)
    {
        KernelOptions o = cli.Kernel;
        List<string> env = new();
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            env.Add($"{e.Key}={e.Value}");
        }

        env.Sort(StringComparer.Ordinal);
        using Kernel kernel = new(o);
        int status = kernel.Run(cli.Program, cli.Arguments, env);
        if (o.Stats)
        {
            Stats.Print(kernel, Console.Error);
        }

        Console.Out.Flush();
        return status;
    }
}
