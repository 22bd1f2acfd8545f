// replay_main.cpp — runs a fuzz target over saved inputs, without libFuzzer.
//
// Builds other than the `fuzz` preset link every target with this main, so that
//   fuzz_app_message tests/fuzz/corpus/app_message      (a folder: every file in it)
//   fuzz_app_message crash-3f2a...                      (one file, e.g. a libFuzzer finding)
// feeds each input once to LLVMFuzzerTestOneInput — the seed corpus in ctest, and a crash
// reproduced under gdb or the asan build, where libFuzzer is not at hand.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv)
{
    namespace fs = std::filesystem;
    std::vector<fs::path> inputs;
    for (int i = 1; i < argc; ++i) {
        const fs::path arg = argv[i];
        std::error_code ec;
        if (fs::is_directory(arg, ec)) {
            for (const auto& entry : fs::directory_iterator(arg))
                if (entry.is_regular_file())
                    inputs.push_back(entry.path());
        } else {
            inputs.push_back(arg);
        }
    }
    if (inputs.empty()) {
        std::cerr << "usage: " << argv[0] << " FILE_OR_DIR...   (no inputs found)\n";
        return 2;
    }
    for (const auto& path : inputs) {
        std::ifstream in(path, std::ios::binary);
        if (!in) {
            std::cerr << path.string() << ": cannot open\n";
            return 1;
        }
        const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    }
    std::cout << "replayed " << inputs.size() << " inputs, no crash\n";
    return 0;
}
