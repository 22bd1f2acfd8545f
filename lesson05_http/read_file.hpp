// read_file.hpp — a whole file's bytes, for the clients' @FILE arguments (http_get --data-binary
// @FILE and --raw FILE, smtp_send --body-file and --password-file).
#pragma once

#include "common/error.hpp"

#include <cerrno>
#include <fstream>
#include <sstream>
#include <string>

namespace http {

// A file that cannot be opened is a runtime error naming it: `open(PATH): No such file ...`.
inline std::string read_file(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw netlab::SysError("open(" + path + ")", errno);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace http
