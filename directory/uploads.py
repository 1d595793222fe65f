"""Uploads judged as they stream in: no file is kept past the logo limit, and no request body past a bound."""

import io

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from .validators import LOGO_MAX_BYTES


class OversizedUpload(UploadedFile):
    """What is left of a file refused for its size: its name and size, none of its bytes (validate_logo says why)."""

    def __init__(self, name, content_type, size, charset, content_type_extra=None):
        super().__init__(io.BytesIO(), name, content_type, size, charset, content_type_extra)


class LogoSizeUploadHandler(FileUploadHandler):
    """Refuse a multipart request larger than FILE_UPLOAD_MAX_MEMORY_SIZE before reading it, and pass an uploaded file
    on to the handlers after this one only while it is within the logo limit.

    Within that bound Django's memory handler keeps every file, so no upload is ever written to a temporary file. A
    file past the limit is read to its end and dropped, so that the form's other fields still arrive: the editor gets
    the form back with the size error, rather than a reset connection or an error page.
    """

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > settings.FILE_UPLOAD_MAX_MEMORY_SIZE:
            # Django answers 400 Bad Request, as for any other body over its limits.
            raise RequestDataTooBig("Request body exceeded settings.FILE_UPLOAD_MAX_MEMORY_SIZE.")

    def receive_data_chunk(self, raw_data, start):
        return raw_data if start + len(raw_data) <= LOGO_MAX_BYTES else None

    def file_complete(self, file_size):
        if file_size > LOGO_MAX_BYTES:
            return OversizedUpload(self.file_name, self.content_type, file_size, self.charset, self.content_type_extra)
        return None
