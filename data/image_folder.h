#pragma once
// Image-folder datasets: <root>/<split>/<class>/<image>.(jpg|jpeg|png), one folder per class, as a
// folder on disk or inside a tar(.gz) archive (read in memory, so 60,000 small files need not be
// unpacked). Class folders sorted by name give labels 0, 1, ...; images are sorted by name within
// their class, so the order, and with it every seeded run, is the same on every machine.
//
//   const EncodedImages train = read_image_archive("cifar10-jpg.tar.gz", "train");
//   const Dataset dataset = decode_images(train);  // all images must share one size and channel count
#include <cstdint>
#include <string>
#include <vector>

#include "data/dataset.h"

namespace sprig {

struct EncodedImage {
  std::string name;  // for messages: the path, or archive:entry
  int32_t label = 0;
  std::vector<uint8_t> bytes;  // the file's contents
};

struct EncodedImages {
  std::string where;                 // the split's folder (or archive:split), for messages
  std::vector<std::string> classes;  // class folder names; label i is classes[i]
  std::vector<EncodedImage> images;  // by class, then by name
};

// Reads every image file of <root>/<split>/<class>/. Throws naming the folder when there are no class
// folders or one holds no image, and naming the file when it cannot be read. Names starting with '.'
// and files of other kinds are ignored.
EncodedImages read_image_folder(const std::string& root, const std::string& split);

// The same for entries <split>/<class>/<image> of a tar(.gz) archive (any leading folders allowed,
// e.g. cifar10/train/cat/0001.jpg). A class appears once it has an image, so a class folder holding
// none is not seen at all; callers that know the class names should check them.
EncodedImages read_image_archive(const std::string& archive, const std::string& split);

// Decodes all images in parallel; result order is the listing's, whatever the thread count. Throws
// naming the file for an undecodable image, a size or channel count differing from the first
// image's, or an empty listing.
Dataset decode_images(const EncodedImages& encoded);

}  // namespace sprig
