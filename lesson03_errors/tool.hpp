// lesson03_errors/tool.hpp — runs a system tool (ss) and captures what it prints, so a
// scenario can show the kernel's own view of its sockets next to its report.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace lesson03 {

struct ToolResult {
    int status;          // exit status, or 128 + signal
    std::string output;  // stdout and stderr together, at most 64 KiB
};

// std::nullopt when the tool is not installed. Gives up (kills it) after timeout_ms.
std::optional<ToolResult> run_tool(const std::vector<std::string>& argv, int timeout_ms = 5000);

// Prints a tool's output indented under "$ ss ...", and returns its exit status; or prints a
// note that the tool is missing and returns std::nullopt.
std::optional<int> show_tool(const std::vector<std::string>& argv);

}  // namespace lesson03
