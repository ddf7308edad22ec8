#include "tools/cli_progress.h"

#include <unistd.h>

#include <cstdio>
#include <utility>

namespace cairn {
namespace {

constexpr int kBarWidth = 30;
constexpr auto kRedrawInterval = std::chrono::milliseconds(100);

std::string HumanBytes(uint64_t n) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    u++;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return buf;
}

}  // namespace

ProgressBar::ProgressBar(std::string label, uint64_t total_bytes)
    : enabled_(::isatty(STDERR_FILENO) == 1), label_(std::move(label)), total_bytes_(total_bytes) {}

ProgressBar::~ProgressBar() { Clear(); }

void ProgressBar::Update(uint64_t bytes_read, uint64_t lines) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_draw_ < kRedrawInterval) return;
  last_draw_ = now;
  std::string text = "\r" + label_ + " ";
  if (total_bytes_ > 0) {
    const uint64_t done = bytes_read < total_bytes_ ? bytes_read : total_bytes_;
    const int filled = static_cast<int>(done * kBarWidth / total_bytes_);
    text += "[" + std::string(filled, '#') + std::string(kBarWidth - filled, '.') + "] ";
    text += std::to_string(done * 100 / total_bytes_) + "%  ";
  }
  text += std::to_string(lines) + " lines, " + HumanBytes(bytes_read) + "\x1b[K";
  std::fputs(text.c_str(), stderr);
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressBar::Clear() {
  if (!drawn_) return;
  std::fputs("\r\x1b[K", stderr);
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace cairn
