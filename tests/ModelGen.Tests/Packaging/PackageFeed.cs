using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using ModelGen.Tests.Generator;
using ModelGen.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace ModelGen.Tests.Packaging;

/// <summary>
/// ModelGen and ModelGen.Runtime packed once into a local feed for every package test (packing takes about a minute),
/// and the helpers those tests share: a consumer project that references only the ModelGen package, and a process
/// runner that keeps the test host's MSBuild settings out of the child builds.
/// </summary>
public sealed class PackageFeed : IDisposable
{
    public const string Collection = "ModelGen package";

    private readonly TempFolder _temp = new("modelgen-feed");

    public PackageFeed()
    {
        Folder = Path.Combine(_temp.Path, "feed");
        string repo = RepoPaths.Root;
        Version = File.ReadAllText(Path.Combine(repo, "Directory.Build.props")).Split("<Version>")[1].Split("</Version>")[0];
        Run(null, "dotnet", $"pack \"{Path.Combine(repo, "src", "Runtime")}\" -c Release -o \"{Folder}\"", repo);
        Run(null, "dotnet", $"pack \"{Path.Combine(repo, "src", "Generator")}\" -c Release -o \"{Folder}\"", repo);
        Package = Path.Combine(Folder, $"ModelGen.{Version}.nupkg");
    }

    public string Folder { get; }
    public string Version { get; }
    public string Package { get; }

    public void Dispose() => _temp.Dispose();

    /// <summary>nuget.config (the local feed, then nuget.org) and a console project that references ModelGen.</summary>
    public void WriteConsumer(string app, string packagesFolder, string items, string extraProperties = "")
    {
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{Folder}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(app, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <RestorePackagesPath>{packagesFolder}</RestorePackagesPath>
                {extraProperties}
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="ModelGen" Version="{Version}" />
                {items}
              </ItemGroup>
            </Project>
            """);
    }

    /// <summary>Runs a process to completion; asserts exit code 0 unless <paramref name="mayFail"/>. Returns stdout + stderr.</summary>
    public static string Run(ITestOutputHelper? output, string file, string arguments, string workingDirectory, bool mayFail = false)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The test host runs under `dotnet test`: don't let its MSBuild settings leak into the child builds.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(key);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stderr = new StringBuilder();
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        string stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(10)), $"{file} {arguments} timed out");
        process.WaitForExit();
        output?.WriteLine($"$ {file} {arguments}  (in {workingDirectory})\n{stdout}{stderr}");
        if (!mayFail)
            Assert.True(process.ExitCode == 0, $"{file} {arguments} failed with exit code {process.ExitCode}:\n{stdout}\n{stderr}");
        return stdout + stderr;
    }
}

[CollectionDefinition(PackageFeed.Collection)]
public sealed class PackageFeedCollection : ICollectionFixture<PackageFeed>
{
}
