/// CSV input of ImportTable: RFC 4180 records (quoted fields may hold the delimiter, newlines
/// and doubled quotes), the first record the header unless `HeaderList` is given.
///
/// As DynamoDB imports CSV, key attributes take the type of their AttributeDefinition and every
/// other attribute is a String; an empty non-key field adds no attribute.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/S3DataImport.Format.html
enum CSVInput {
    /// The records of a whole file.
    static func records(_ bytes: [UInt8], delimiter: UInt8) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field: [UInt8] = []
        var quoted = false
        var index = 0
        var fieldStarted = false
        func endField() {
            record.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            fieldStarted = false
        }
        func endRecord() {
            endField()
            if !(record.count == 1 && record[0].isEmpty) { records.append(record) }
            record = []
        }
        while index < bytes.count {
            let byte = bytes[index]
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    if index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "\"") {
                        field.append(byte)
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(byte)
                }
            } else if byte == UInt8(ascii: "\"") && !fieldStarted {
                quoted = true
                fieldStarted = true
            } else if byte == delimiter {
                endField()
            } else if byte == 0x0A {
                endRecord()
            } else if byte == 0x0D && index + 1 < bytes.count && bytes[index + 1] == 0x0A {
                // CRLF: the LF ends the record.
            } else {
                field.append(byte)
                fieldStarted = true
            }
            index += 1
        }
        if fieldStarted || !field.isEmpty || !record.isEmpty { endRecord() }
        return records
    }

    /// One record as an item; nil when a key field is missing or not of its type.
    static func item(_ fields: [String], header: [String], definitions: [KeyAttribute], keySchema: KeySchema) -> Item? {
        var item: Item = [:]
        for (position, name) in header.enumerated() where position < fields.count && !name.isEmpty {
            let text = fields[position]
            if keySchema.contains(name) || definitions.contains(where: { $0.name == name }) {
                let type = definitions.first { $0.name == name }?.type ?? .string
                switch type {
                case .string: item[name] = .string(text)
                case .number:
                    guard let number = try? Number(parsing: text) else { return nil }
                    item[name] = .number(number)
                case .binary:
                    guard let bytes = try? Base64.decode(text) else { return nil }
                    item[name] = .binary(bytes)
                }
            } else if !text.isEmpty {
                item[name] = .string(text)
            }
        }
        return item
    }
}
